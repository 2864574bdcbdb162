"""Running the stack in this process until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket
import sys

from flask import Flask
from tornado.netutil import bind_sockets

from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.server.app import EXECUTOR_KEY, Route, close_websockets, make_app
from geppetto_dev.server.draining import DrainingHTTPServer

log = logging.getLogger("geppetto_dev.server")


def bind(settings: Settings) -> list[socket.socket]:
    """Bind before anything else starts, so a busy port is one clear line."""
    try:
        return bind_sockets(settings.port, settings.host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise GeppettoDevError(
                f"port {settings.port} on {settings.host} is already in use",
                f"stop the other server or pick another port, e.g. --port {settings.port + 1}",
            ) from None
        if isinstance(exc, socket.gaierror) or exc.errno in (
            errno.EADDRNOTAVAIL,
            errno.EAFNOSUPPORT,
        ):
            raise GeppettoDevError(
                f"cannot listen on host {settings.host!r}: {exc.strerror or exc}",
                "use an address of this machine, e.g. --host 127.0.0.1",
            ) from None
        raise


def run(
    settings: Settings,
    sockets: list[socket.socket] | None = None,
    *,
    flask_app: Flask | None = None,
    extra_routes: list[Route] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; binds settings.host:port unless `sockets` are given.

    `flask_app` and `extra_routes` go to make_app: the reload supervisor's server child loads the
    project itself (to serve an error page when it fails) and adds its live-reload endpoint.
    """
    _setup_logging()
    sockets = sockets if sockets is not None else bind(settings)
    asyncio.run(serve(settings, sockets, flask_app=flask_app, extra_routes=extra_routes))


async def serve(
    settings: Settings,
    sockets: list[socket.socket],
    *,
    flask_app: Flask | None = None,
    extra_routes: list[Route] | None = None,
) -> None:
    app = make_app(settings, flask_app=flask_app, extra_routes=extra_routes)
    server = DrainingHTTPServer(app)
    server.add_sockets(sockets)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    host, port = sockets[0].getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving Geppetto on http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    await stop.wait()
    server.stop()
    if settings.reload:
        close_websockets(app, 1012, "server restarting")
    else:
        close_websockets(app, 1001, "server stopping")
    # Requests already accepted are answered, not cut (a reload must drop nothing).
    if not await server.drain(timeout=0.8):
        log.warning("some requests were still in progress at shutdown")
    try:
        await asyncio.wait_for(server.close_all_connections(), timeout=1.0)
    except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
        log.warning("some connections did not close in time")
    app.settings[EXECUTOR_KEY].shutdown(wait=False, cancel_futures=True)


def _setup_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
        )
    # One line per request is noise in a development server; warnings and errors still show.
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
