"""Serving an application in this process until SIGINT or SIGTERM: `Server(app).run()`.

One entry point, as uvicorn's `Server(config).serve(sockets)`: the application carries the
configuration; what the reload child adds (its routes, how it stops, the hand-over of kept-alive
connections) comes as `ServerHooks`, not as parameters.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass

from tornado.iostream import IOStream
from tornado.netutil import bind_sockets

from geppetto_dev.application import GeppettoApp
from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.server.allocator import map_large_buffers
from geppetto_dev.server.draining import DrainingHTTPServer, HandOver
from geppetto_dev.server.stack import EXECUTOR_KEY, Route, close_websockets, make_app

__all__ = ["LISTEN_BACKLOG", "STOPPING", "Server", "ServerHooks", "bind"]

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


# How long a reloaded server answers before it opens its services (see ServerHooks).
DEFERRED_SERVICES_S = 0.15

# How WebSockets are closed at shutdown: going away, unless the caller knows better (a reload).
STOPPING = (1001, "server stopping")


@dataclass(frozen=True)
class ServerHooks:
    """What the reload supervisor's server child adds to a server.

    `extra_routes`: its live-reload endpoint. `close_code`: what open WebSockets are closed
    with at shutdown. `on_stopped`: called once the server no longer accepts connections (the
    supervisor lets the next server accept then, while this one still finishes its requests).
    `hand_over`: where idle kept-alive connections go when this server stops; `receive` is
    called once with a function (safe from any thread) that serves such a connection of the
    previous server here (see draining.py).
    """

    extra_routes: tuple[Route, ...] = ()
    # Open the application's services just after the first answers rather than before
    # accepting: a reloaded server's first response then does not wait for its database (a
    # WebSocket handshake or the project list opens them at once when it comes first).
    defer_services: bool = False
    close_code: tuple[int, str] = STOPPING
    on_stopped: Callable[[], None] | None = None
    hand_over: HandOver | None = None
    receive: Callable[[HandOver], None] | None = None


class Server:
    def __init__(self, app: GeppettoApp, hooks: ServerHooks | None = None) -> None:
        self.app = app
        self.hooks = hooks or ServerHooks()

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        """Serve until SIGINT or SIGTERM; binds the settings' host and port unless given
        `sockets`."""
        sockets = sockets if sockets is not None else bind(self.app.settings)
        asyncio.run(self.serve(sockets))

    async def serve(self, sockets: list[socket.socket]) -> None:
        """Requests in progress at the stop get `drain_timeout` seconds (a second signal ends
        the wait). The application's services are started here unless they already are being
        started (the reload child starts them while the project loads): then the server
        accepts at once and WebSocket handshakes wait for them."""
        app, hooks, settings = self.app, self.hooks, self.app.settings
        map_large_buffers()  # memory freed after a large model goes back to the system
        tornado_app = make_app(app, extra_routes=list(hooks.extra_routes))
        if app.ready is None and not hooks.defer_services:
            await asyncio.to_thread(app.start)  # off the loop: a database or cluster may be slow
        server = DrainingHTTPServer(tornado_app)
        server.add_sockets(sockets)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        host, port = sockets[0].getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(f"Serving Geppetto on http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
        if hooks.receive is not None:
            hooks.receive(_adopter(server, loop))
        if hooks.defer_services and app.ready is None:
            await asyncio.sleep(DEFERRED_SERVICES_S)
        services = await asyncio.wrap_future(app.start_in_background())
        print(services.summary, flush=True)
        if services.access:
            print(services.access, flush=True)
        await stop.wait()
        stop.clear()  # set again by a second signal: stop waiting for requests in progress
        server.stop(hooks.hand_over)
        if hooks.on_stopped is not None:
            hooks.on_stopped()
        close_websockets(tornado_app, *hooks.close_code)
        # Requests already accepted are answered, not cut (a reload must drop nothing).
        drained = await server.drain(timeout=settings.drain_timeout, abort=stop)
        if not drained:
            log.warning("some requests were still in progress at shutdown; they were cut")
        try:
            await asyncio.wait_for(server.close_all_connections(), timeout=1.0)
        except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
            log.warning("some connections did not close in time")
        tornado_app.settings[EXECUTOR_KEY].shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(app.close)


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
