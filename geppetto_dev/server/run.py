"""Running the stack in this process until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket
from collections.abc import Callable
from concurrent.futures import Future

from flask import Flask
from tornado.iostream import IOStream
from tornado.netutil import bind_sockets

from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.server.allocator import map_large_buffers
from geppetto_dev.server.app import EXECUTOR_KEY, Route, close_websockets, make_app
from geppetto_dev.server.draining import DrainingHTTPServer, HandOver
from geppetto_dev.server.experiments import ExperimentServices, start_experiments
from geppetto_dev.server.websocket import READY_KEY

__all__ = ["LISTEN_BACKLOG", "STOPPING", "bind", "run", "serve"]

log = logging.getLogger("geppetto_dev.server")

# Connections the kernel queues before they are accepted (Tornado's default is 128, so a burst
# of a few hundred connects waited for the one-second SYN retry); capped by net.core.somaxconn.
LISTEN_BACKLOG = 4096


def bind(settings: Settings) -> list[socket.socket]:
    """Bind before anything else starts, so a busy port is one clear line."""
    try:
        return bind_sockets(settings.port, settings.host, backlog=LISTEN_BACKLOG)
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


# How WebSockets are closed at shutdown: going away, unless the caller knows better (a reload).
STOPPING = (1001, "server stopping")


def run(
    settings: Settings,
    sockets: list[socket.socket] | None = None,
    *,
    flask_app: Flask | None = None,
    extra_routes: list[Route] | None = None,
    close_code: tuple[int, str] = STOPPING,
    on_stopped: Callable[[], None] | None = None,
    hand_over: HandOver | None = None,
    receive: Callable[[HandOver], None] | None = None,
    experiments: Future[ExperimentServices] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; binds settings.host:port unless `sockets` are given.

    `flask_app` and `extra_routes` go to make_app: the reload supervisor's server child loads the
    project itself (to serve an error page when it fails) and adds its live-reload endpoint.
    `close_code` is what open WebSockets are closed with at shutdown; `on_stopped` is called
    once the server no longer accepts connections (the reload supervisor lets the next server
    accept then, while this one still finishes its requests). Requests in progress get
    `settings.drain_timeout` seconds (a second signal ends the wait). Under --reload, idle
    kept-alive connections go to `hand_over` when this server stops, and `receive` is called
    once with a function (safe from any thread) that serves such a connection of the previous
    server here (see draining.py). `experiments`: the store and executor, already being
    started by the caller (the reload child starts them while the project loads); else here.
    """
    sockets = sockets if sockets is not None else bind(settings)
    asyncio.run(
        serve(
            settings,
            sockets,
            flask_app=flask_app,
            extra_routes=extra_routes,
            close_code=close_code,
            on_stopped=on_stopped,
            hand_over=hand_over,
            receive=receive,
            experiments=experiments,
        )
    )


async def serve(
    settings: Settings,
    sockets: list[socket.socket],
    *,
    flask_app: Flask | None = None,
    extra_routes: list[Route] | None = None,
    close_code: tuple[int, str] = STOPPING,
    on_stopped: Callable[[], None] | None = None,
    hand_over: HandOver | None = None,
    receive: Callable[[HandOver], None] | None = None,
    experiments: Future[ExperimentServices] | None = None,
) -> None:
    map_large_buffers()  # memory freed after a large model goes back to the system
    app = make_app(settings, flask_app=flask_app, extra_routes=extra_routes)
    # Off the event loop: opening the database and reaching a cluster may take a moment.
    if experiments is None:
        experiments = Future()
        experiments.set_result(await asyncio.to_thread(start_experiments, settings))
    else:
        # Started by the caller: accept at once, WebSocket handshakes wait for it.
        app.settings[READY_KEY] = experiments
    server = DrainingHTTPServer(app)
    server.add_sockets(sockets)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    host, port = sockets[0].getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving Geppetto on http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    if receive is not None:
        receive(_adopter(server, loop))
    services = await asyncio.wrap_future(experiments)
    print(services.summary, flush=True)
    await stop.wait()
    stop.clear()  # set again by a second signal: stop waiting for requests in progress
    server.stop(hand_over)
    if on_stopped is not None:
        on_stopped()
    close_websockets(app, *close_code)
    # Requests already accepted are answered, not cut (a reload must drop nothing).
    drained = await server.drain(timeout=settings.drain_timeout, abort=stop)
    if not drained:
        log.warning("some requests were still in progress at shutdown; they were cut")
    try:
        await asyncio.wait_for(server.close_all_connections(), timeout=1.0)
    except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
        log.warning("some connections did not close in time")
    app.settings[EXECUTOR_KEY].shutdown(wait=False, cancel_futures=True)
    await asyncio.to_thread(services.close)


def _adopter(server: DrainingHTTPServer, loop: asyncio.AbstractEventLoop) -> HandOver:
    """Serves, on `loop`, a connection the previous server handed over (from any thread)."""

    def serve_connection(sock: socket.socket) -> None:
        try:
            address = sock.getpeername()
        except OSError:  # the client left meanwhile
            sock.close()
            return
        sock.setblocking(False)
        stream = IOStream(
            sock, max_buffer_size=server.max_buffer_size, read_chunk_size=server.read_chunk_size
        )
        server.handle_stream(stream, address)

    def adopt(sock: socket.socket) -> None:
        try:
            loop.call_soon_threadsafe(serve_connection, sock)
        except RuntimeError:  # the loop is closed: this server is gone too
            sock.close()

    return adopt
