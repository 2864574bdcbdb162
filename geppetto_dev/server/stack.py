"""The Tornado application: WebSocket, static frontend, then everything else to Flask."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tornado import httputil
from tornado.web import Application, FallbackHandler, _HandlerDelegate
from tornado.wsgi import WSGIContainer
from werkzeug.exceptions import NotFound

from geppetto_dev.application import GeppettoApp
from geppetto_dev.server.current_user import CurrentUserHandler
from geppetto_dev.server.errorpage import attach_error_page
from geppetto_dev.server.hosts import HostPolicy, HostRefused
from geppetto_dev.server.inspector import inspector_routes
from geppetto_dev.server.page import attach_page
from geppetto_dev.server.projects_route import ProjectListHandler
from geppetto_dev.server.redirects import relative_redirects
from geppetto_dev.server.static import WebappFileHandler
from geppetto_dev.server.traceback_policy import TracebackPolicy
from geppetto_dev.server.websocket import CONNECTIONS_KEY, GeppettoWebSocket

__all__ = [
    "APP_KEY",
    "EXECUTOR_KEY",
    "HOSTS_KEY",
    "GeppettoApplication",
    "Route",
    "close_websockets",
    "make_app",
]

Route = tuple[Any, ...]

# The Flask fallback's thread pool, in the application settings so the server can shut it down.
EXECUTOR_KEY = "geppetto_executor"
# The GeppettoApp being served: its settings, handlers and services.
APP_KEY = "geppetto_app"
HOSTS_KEY = "geppetto_hosts"


class GeppettoApplication(Application):
    """Routes only requests for a host name the server knows (see hosts.py), on every route."""

    def find_handler(self, request: httputil.HTTPServerRequest, **kwargs: Any) -> _HandlerDelegate:
        if not self.settings[HOSTS_KEY].allows(request.host):
            return self.get_handler_delegate(request, HostRefused)
        return super().find_handler(request, **kwargs)


def make_app(app: GeppettoApp, extra_routes: list[Route] | None = None) -> Application:
    """The Tornado application serving `app`: WebSocket, frontend files, inspector, Flask."""
    settings, flask_app = app.settings, app.flask
    attach_page(
        flask_app,
        settings.frontend_path,
        inspector=settings.inspector,
        context_path=settings.context_path,
        home_project=app.home_project,
    )
    policy = TracebackPolicy.from_settings(settings)
    attach_error_page(flask_app, policy)
    if settings.accounts:
        _attach_login(app, policy)
    # Flask views run here, off the IOLoop thread, so a slow view never delays WebSocket traffic.
    executor = ThreadPoolExecutor(settings.wsgi_threads, thread_name_prefix="geppetto-wsgi")
    context = re.escape(settings.context_path)
    prefix = f"/{context}" if context else ""
    routes: list[Route] = [
        # The 0.3.8 client connects to /<context>/GeppettoServlet; newer ones to any path ending so.
        (
            r"(?:/.*)?/GeppettoServlet",
            GeppettoWebSocket,
            {"app": app, "executor": executor},
        ),
        (rf"{prefix}/geppetto/(.*)", WebappFileHandler, {"path": str(settings.frontend_path)}),
        *(inspector_routes(settings, app.handlers) if settings.inspector else []),
        *_project_list_routes(app, prefix),
        *(extra_routes or []),
        (
            r".*",
            FallbackHandler,
            {"fallback": WSGIContainer(relative_redirects(flask_app), executor=executor)},
        ),
    ]
    connections: set[GeppettoWebSocket] = set()
    shared: dict[str, Any] = {
        APP_KEY: app,
        EXECUTOR_KEY: executor,
        CONNECTIONS_KEY: connections,
        HOSTS_KEY: HostPolicy(settings.host, settings.allowed_hosts),
    }
    return GeppettoApplication(
        routes,
        debug=False,
        autoreload=False,
        serve_traceback=False,
        # Tornado closes the socket past this size; up to it, the session answers a too-large
        # message with a generic_error and the connection stays up.
        websocket_max_message_size=2 * settings.max_message_size,
        **shared,
    )


def _attach_login(app: GeppettoApp, policy: TracebackPolicy) -> None:
    """The login pages, counting failed logins by the address `trusted-proxies` vouch for."""
    from geppetto_dev.accounts.extra import require_extra

    require_extra()
    from geppetto_dev.accounts.login import attach_login

    attach_login(app.flask, app.accounts, client_address=policy.client_address)


def _project_list_routes(app: GeppettoApp, prefix: str) -> list[Route]:
    """/projects beside the page at / (and Java's /geppettoprojects and /currentuser), and the
    same under the context path, unless the app has them."""
    adapter = app.flask.url_map.bind("localhost")
    routes: list[Route] = []
    for name, handler in (
        ("projects", ProjectListHandler),
        ("geppettoprojects", ProjectListHandler),
        ("currentuser", CurrentUserHandler),
    ):
        for pattern in dict.fromkeys([f"/{name}", f"{prefix}/{name}"]):
            try:
                adapter.match(pattern.replace("\\", ""))  # the prefix is regex-escaped
            except NotFound:
                routes.append((pattern, handler, {"app": app}))
            except Exception:  # any other answer (a redirect, another method): the app has it
                continue
    return routes


def close_websockets(app: Application, code: int, reason: str) -> None:
    """Tell open clients why they are dropped (1012: restarting, 1001: going away)."""
    for conn in list(app.settings[CONNECTIONS_KEY]):
        conn.close(code, reason)
