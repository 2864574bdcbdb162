"""Tornado's side of the Geppetto WebSocket: origin checks and frames in and out of a Session."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any
from urllib.parse import urlsplit

from tornado.websocket import WebSocketClosedError, WebSocketHandler

from geppetto_dev.config import Settings
from geppetto_dev.protocol import ProtocolSettings, Registry, Session

log = logging.getLogger("geppetto_dev.server")

CONNECTIONS_KEY = "geppetto_connections"


class GeppettoWebSocket(WebSocketHandler):
    session: Session | None = None

    def initialize(self, settings: Settings, registry: Registry, executor: Executor) -> None:
        self.geppetto = settings
        self.registry = registry
        self.executor = executor

    def check_origin(self, origin: str) -> bool:
        """Same host as the page, or an origin the project allows; everything else is refused."""
        if origin in self.geppetto.allowed_origins or "*" in self.geppetto.allowed_origins:
            return True
        host = self.request.headers.get("Host", "")
        return bool(host) and urlsplit(origin).netloc.lower() == host.lower()

    def open(self, *args: Any) -> None:
        self.session = Session(
            ProtocolSettings.from_settings(self.geppetto),
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
