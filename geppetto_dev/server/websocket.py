"""Tornado's side of the Geppetto WebSocket: origin checks, who the connection acts for (its
session cookie, in accounts mode), and frames in and out of a Session."""

from __future__ import annotations

import logging
from asyncio import Future
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
from geppetto_dev.server.hosts import HostPolicy, is_local_client
from geppetto_dev.server.identity import viewer_of_request
from geppetto_dev.server.wsprotocol import ClosingProtocol

__all__ = ["CONNECTIONS_KEY", "SLOW_CLIENT", "GeppettoWebSocket"]

log = logging.getLogger("geppetto_dev.server")

CONNECTIONS_KEY = "geppetto_connections"
# The close code for a client that does not read what it is sent (RFC 6455: policy violation).
SLOW_CLIENT = (1008, "client too slow: send buffer full")


class GeppettoWebSocket(WebSocketHandler):
    session: Session | None = None

    def initialize(self, app: GeppettoApp, executor: Executor) -> None:
        self.app = app
        self.geppetto = app.settings
        self.executor = executor
        self._queued = 0  # bytes written but not yet taken by the client's TCP stack

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
        # A new server accepts while its services open; Tornado reads no message before
        # open() returns. The connection acts for whom its session cookie names.
        viewer = await viewer_of_request(self.app, self.request)
        # Tracebacks in --dev go to clients on this machine that asked for it by a loopback
        # name, whatever address the server is bound to.
        local = is_local_client(self.request.remote_ip, self.request.headers.get("Host"))
        self.session = self.app.session(
            self._write_frame,
            executor=self.executor,
            show_tracebacks=self.geppetto.dev and local,
            viewer=viewer,
        )
        self.application.settings[CONNECTIONS_KEY].add(self)
        self.session.open()

    def on_message(self, message: str | bytes) -> Awaitable[None] | None:
        if self.session is None or self.ws_connection is None or self.ws_connection.is_closing():
            return None
        self.session.receive(message)
        cap = self.geppetto.max_requests_in_flight
        if cap and self.session.in_flight >= cap:
            # Tornado reads no further frame until this is done: the client's requests wait in
            # its TCP buffers, not in this process.
            return self.session.request_done()
        return None

    def on_close(self) -> None:
        self.application.settings[CONNECTIONS_KEY].discard(self)
        if self.session is not None:
            self.session.close()

    def _write_frame(self, frame: str | bytes) -> None:
        if self.ws_connection is None or self.ws_connection.is_closing():
            return
        size = len(frame)
        limit = self.geppetto.max_send_buffer
        if limit and self._queued and self._queued + size > limit:
            # One frame of any size may wait; more than the limit piled up means the client
            # does not read. The close frame queues behind the rest; Tornado drops the
            # connection (and its buffer) if the close is not answered within seconds.
            log.warning(
                "closing a WebSocket from %s: it does not read (%d bytes waiting)",
                self.request.remote_ip,
                self._queued,
            )
            self.close(*SLOW_CLIENT)
            return
        try:
            written = self.write_message(frame, binary=isinstance(frame, bytes))
        except WebSocketClosedError:
            log.debug("dropped a message to a closed connection")
            return
        self._queued += size
        written.add_done_callback(lambda done: self._sent(done, size))

    def _sent(self, done: Future[None], size: int) -> None:
        self._queued -= size
        if not done.cancelled() and done.exception() is not None:
            log.debug("dropped a message to a closed connection")
