"""Tornado's side of the Geppetto WebSocket: origin checks and frames in and out of a Session."""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import Executor
from typing import Any

from tornado.websocket import WebSocketClosedError, WebSocketHandler

from geppetto_dev.config import Settings
from geppetto_dev.protocol import ProtocolSettings, Registry, Session
from geppetto_dev.server.hosts import HostPolicy, is_local_client

log = logging.getLogger("geppetto_dev.server")

CONNECTIONS_KEY = "geppetto_connections"


class GeppettoWebSocket(WebSocketHandler):
    session: Session | None = None

    def initialize(self, settings: Settings, registry: Registry, executor: Executor) -> None:
        self.geppetto = settings
        self.registry = registry
        self.executor = executor

    def check_origin(self, origin: str) -> bool:
        """A page of this server under an allowed host name, or an origin the project allows."""
        hosts = HostPolicy(self.geppetto.host, self.geppetto.allowed_hosts)
        host = self.request.headers.get("Host", "")
        return hosts.allows_origin(origin, host, self.geppetto.allowed_origins)

    def open(self, *args: Any) -> None:
        # Tracebacks in --dev go to clients on this machine that asked for it by a loopback
        # name, whatever address the server is bound to.
        local = is_local_client(self.request.remote_ip, self.request.headers.get("Host"))
        protocol = dataclasses.replace(
            ProtocolSettings.from_settings(self.geppetto),
            show_tracebacks=self.geppetto.dev and local,
        )
        self.session = Session(
            protocol,
            self.registry,
            self._write_frame,
            executor=self.executor,
            settings=self.geppetto,
        )
        self.application.settings[CONNECTIONS_KEY].add(self)
        self.session.open()

    def on_message(self, message: str | bytes) -> None:
        if self.session is not None:
            self.session.receive(message)

    def on_close(self) -> None:
        self.application.settings[CONNECTIONS_KEY].discard(self)
        if self.session is not None:
            self.session.close()

    def _write_frame(self, frame: str | bytes) -> None:
        if self.ws_connection is None or self.ws_connection.is_closing():
            return
        try:
            self.write_message(frame, binary=isinstance(frame, bytes))
        except WebSocketClosedError:
            log.debug("dropped a message to a closed connection")
