"""The Tornado application: WebSocket, static frontend, then everything else to Flask."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from tornado.web import Application, FallbackHandler
from tornado.wsgi import WSGIContainer

from geppetto_dev.config import Settings
from geppetto_dev.protocol import Registry, default_registry
from geppetto_dev.server.inspector import inspector_routes
from geppetto_dev.server.loader import load_project
from geppetto_dev.server.page import attach_page
from geppetto_dev.server.static import WebappFileHandler
from geppetto_dev.server.websocket import CONNECTIONS_KEY, GeppettoWebSocket

Route = tuple[Any, ...]

# The Flask fallback's thread pool, in the application settings so the server can shut it down.
EXECUTOR_KEY = "geppetto_executor"


def make_app(
    settings: Settings,
    registry: Registry | None = None,
    flask_app: Flask | None = None,
    extra_routes: list[Route] | None = None,
) -> Application:
    """Build the stack; loads the project's Flask app and handlers unless `flask_app` is given."""
    registry = registry or default_registry
    flask_app = flask_app or load_project(settings)
    attach_page(flask_app, settings.frontend_path, inspector=settings.inspector)
    # Flask views run here, off the IOLoop thread, so a slow view never delays WebSocket traffic.
    executor = ThreadPoolExecutor(settings.wsgi_threads, thread_name_prefix="geppetto-wsgi")
    context = re.escape(settings.context_path)
    prefix = f"/{context}" if context else ""
    routes: list[Route] = [
        # The 0.3.8 client connects to /<context>/GeppettoServlet; newer ones to any path ending so.
        (
            r"(?:/.*)?/GeppettoServlet",
            GeppettoWebSocket,
            {"settings": settings, "registry": registry, "executor": executor},
        ),
        (rf"{prefix}/geppetto/(.*)", WebappFileHandler, {"path": str(settings.frontend_path)}),
        *(inspector_routes(settings, registry) if settings.inspector else []),
        *(extra_routes or []),
        (r".*", FallbackHandler, {"fallback": WSGIContainer(flask_app, executor=executor)}),
    ]
    connections: set[GeppettoWebSocket] = set()
    shared: dict[str, Any] = {EXECUTOR_KEY: executor, CONNECTIONS_KEY: connections}
    return Application(
        routes,
        debug=False,
        autoreload=False,
        serve_traceback=False,
        # Tornado closes the socket past this size; up to it, the session answers a too-large
        # message with a generic_error and the connection stays up.
        websocket_max_message_size=2 * settings.max_message_size,
        **shared,
    )


def close_websockets(app: Application, code: int, reason: str) -> None:
    """Tell open clients why they are dropped (1012: restarting, 1001: going away)."""
    for conn in list(app.settings[CONNECTIONS_KEY]):
        conn.close(code, reason)
