"""Tornado's side of the Geppetto WebSocket: origin checks, who the connection acts for (its
session cookie, in accounts mode), and frames in and out of a Session.

What the server holds per client is bounded (docs/reference/limits.md): replies wait in a
SendQueue within `max-send-buffer` bytes (past it, 1008); while the client does not keep up with
them, or has `max-requests-in-flight` requests running, its next request is not read, so what
it sends waits in its own socket buffers, not in this process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from concurrent.futures import Executor
from typing import Any

from tornado.websocket import (
    WebSocketClosedError,
    WebSocketHandler,
    WebSocketProtocol,
    _WebSocketParams,
)

from geppetto_dev.application import GeppettoApp
from geppetto_dev.protocol import Session
from geppetto_dev.server.hosts import HostPolicy
from geppetto_dev.server.identity import viewer_of_request
from geppetto_dev.server.login_watch import LoginWatch
from geppetto_dev.server.sendqueue import SendQueue
from geppetto_dev.server.traceback_policy import TracebackPolicy
from geppetto_dev.server.wsprotocol import ClosingProtocol

__all__ = ["CONNECTIONS_KEY", "SLOW_CLIENT", "GeppettoWebSocket"]

log = logging.getLogger("geppetto_dev.server")

CONNECTIONS_KEY = "geppetto_connections"
# The close code for a client that does not read what it is sent (RFC 6455: policy violation).
SLOW_CLIENT = (1008, "client too slow: send buffer full")


class GeppettoWebSocket(WebSocketHandler):
    session: Session | None = None
    login_watch: LoginWatch | None = None

    def initialize(self, app: GeppettoApp, executor: Executor) -> None:
        self.app = app
        self.geppetto = app.settings
        self.executor = executor
        self.tracebacks = TracebackPolicy.from_settings(app.settings)
        self.queue = SendQueue(self._write_now, app.settings.max_send_buffer)
        self._throttled = False  # logged once per connection

    @property
    def ping_interval(self) -> float | None:
        return self.geppetto.ping_interval or None

    @property
    def ping_timeout(self) -> float | None:
        # No pong within this long after a ping: the client is gone or not reading; close.
        return self.geppetto.ping_timeout or None

    def get_websocket_protocol(self) -> WebSocketProtocol | None:
        if self.request.headers.get("Sec-WebSocket-Version") != "13":
            return None
        params = _WebSocketParams(
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
            max_message_size=self.max_message_size,
            compression_options=self.get_compression_options(),
        )
        return ClosingProtocol(self, False, params)

    def check_origin(self, origin: str) -> bool:
        """A page of this server under an allowed host name, or an origin the project allows."""
        hosts = HostPolicy(self.geppetto.host, self.geppetto.allowed_hosts)
        host = self.request.headers.get("Host", "")
        return hosts.allows_origin(origin, host, self.geppetto.allowed_origins)

    async def open(self, *args: Any) -> None:
        # A new server accepts while its services open (at once, if it deferred them);
        # Tornado reads no message before open() returns. The connection acts for whom its
        # session cookie names.
        request = self.request
        # A request's replies go out as several messages at once (project_loaded, then the
        # model, then the experiment): with Nagle's algorithm each after the first waits for
        # the client's delayed ACK, 40 ms a load on Linux.
        self.set_nodelay(True)
        viewer = await viewer_of_request(self.app, request, self._client())
        shown = self.tracebacks.shows(
            request.remote_ip, request.headers.get("Host"), request.headers
        )
        self.session = self.app.session(
            self._write_frame,
            executor=self.executor,
            show_tracebacks=shown,
            viewer=viewer,
        )
        self.application.settings[CONNECTIONS_KEY].add(self)
        self.session.open()
        if LoginWatch.needed(self.app, viewer):
            cookie = request.headers.get("Cookie")
            self.login_watch = LoginWatch(self.app, self.session, cookie, self._client()).start()

    def on_message(self, message: str | bytes) -> Awaitable[None] | None:
        if self.session is None or self.ws_connection is None or self.ws_connection.is_closing():
            return None
        self.session.receive(message)
        if self._busy():
            # Tornado reads no further frame until this is done: the client's requests wait in
            # its TCP buffers, not in this process.
            return self._unthrottled()
        return None

    def _busy(self) -> bool:
        """Too many requests running, or replies the client has not kept up with."""
        assert self.session is not None
        cap = self.geppetto.max_requests_in_flight
        return bool(cap and self.session.in_flight >= cap) or self.queue.backlogged

    async def _unthrottled(self) -> None:
        while self.session is not None and not self.queue.closed and self._busy():
            if self.queue.backlogged:
                if not self._throttled:
                    self._throttled = True
                    log.info(
                        "a WebSocket client at %s does not keep up with its replies "
                        "(%d bytes waiting): its requests are read as it catches up",
                        self._client(),
                        self.queue.unread,
                    )
                await self.queue.drained()
            else:
                self._handlers_busy(True)
                try:
                    await self.session.request_done()
                finally:
                    self._handlers_busy(False)

    def _handlers_busy(self, busy: bool) -> None:
        """Pings: a pong waiting unread meanwhile is the server's doing, not the client's."""
        if isinstance(self.ws_connection, ClosingProtocol):
            self.ws_connection.pause_for_handlers(busy)

    def on_close(self) -> None:
        self.application.settings[CONNECTIONS_KEY].discard(self)
        if self.login_watch is not None:
            self.login_watch.stop()
        self.queue.close()
        if self.session is not None:
            self.session.close()

    def _client(self) -> str:
        return self.tracebacks.client_address(self.request.remote_ip, self.request.headers)

    def _write_frame(self, frame: str | bytes) -> None:
        if self.ws_connection is None or self.ws_connection.is_closing():
            return
        if not self.queue.put(frame):
            # One frame of any size may wait; more than the budget behind it means the client
            # does not read. What waits is dropped; the close frame goes after the little
            # Tornado already has, and Tornado drops the connection (and that) if the close
            # is not answered within seconds.
            log.warning(
                "closing a WebSocket from %s: it does not read what it is sent "
                "(%d bytes waiting, max-send-buffer is %d)",
                self._client(),
                self.queue.unread,
                self.queue.limit,
            )
            self.queue.close()
            self.close(*SLOW_CLIENT)

    def _write_now(self, frame: str | bytes) -> asyncio.Future[None]:
        try:
            return self.write_message(frame, binary=isinstance(frame, bytes))
        except WebSocketClosedError:
            log.debug("dropped a message to a closed connection")
            raise
