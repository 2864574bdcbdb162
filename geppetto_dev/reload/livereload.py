"""Browser live reload for `serve --reload`, served by each server child.

Pages get a small script (overlay.py: injected into every HTML page, only in reload mode)
that keeps a WebSocket open to `/_geppetto/livereload` (a WebSocket, unlike an event stream, does
not use up one of the browser's six HTTP connections per host in every open tab). Every server
child has its own boot id and announces it on connect; the script reloads the page when it
reconnects to a server with a different boot id, so it reloads exactly when the new code
answers. The supervisor can also push a reload (a finished frontend build) or the current errors
(a save that does not compile, a failed frontend build), which the script draws over the page;
a POST to the same URL from this machine triggers a reload.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from tornado.ioloop import IOLoop
from tornado.web import RequestHandler
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from geppetto_dev.problems import BUILD, PYTHON, Problem
from geppetto_dev.reload.overlay import script_tag as overlay_script
from geppetto_dev.server.hosts import is_loopback_name
from geppetto_dev.server.traceback_policy import TracebackPolicy

__all__ = ["LIVERELOAD_PATH", "LiveReloadHub", "script_tag"]

LIVERELOAD_PATH = "/_geppetto/livereload"
# How soon (ms) a page reconnects after its socket closed; small, as the port never refuses.
RETRY_MS = 100


def script_tag(boot_id: str) -> str:
    return overlay_script(boot_id, LIVERELOAD_PATH, RETRY_MS)


class LiveReloadHub:
    """The open live-reload sockets of one server child, fed from any thread."""

    def __init__(
        self, boot_id: str, problems: Sequence[Problem] = (), *, tracebacks: TracebackPolicy
    ) -> None:
        self.boot_id = boot_id
        self.tracebacks = tracebacks  # who is shown the problems' details
        # The errors pages show, per source (PYTHON, BUILD): each is replaced as a whole.
        self._problems: dict[str, tuple[Problem, ...]] = {PYTHON: (), BUILD: ()}
        for problem in problems:
            self._problems[problem.source] += (problem,)
        # Set once this server is on its way out: new sockets are told to come back shortly.
        self.closing = False
        self._sockets: set[LiveReloadSocket] = set()
        self._loop: IOLoop | None = None
        self._lock = threading.Lock()

    def routes(self) -> list[tuple[str, type[RequestHandler], dict[str, Any]]]:
        return [(re.escape(LIVERELOAD_PATH), LiveReloadSocket, {"hub": self})]

    def attach(self, sock: LiveReloadSocket) -> None:
        with self._lock:
            self._loop = IOLoop.current()
            self._sockets.add(sock)

    def detach(self, sock: LiveReloadSocket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def _on_loop(self, callback: Callable[[], None]) -> threading.Event:
        """Run `callback` on the server's loop; the returned event is set once it ran."""
        done = threading.Event()
        with self._lock:
            loop = self._loop if self._sockets else None
        if loop is None:
            done.set()
            return done

        def run() -> None:
            try:
                callback()
            finally:
                done.set()

        loop.add_callback(run)
        return done

    def _each(self, action: Callable[[LiveReloadSocket], None]) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            action(sock)

    def reload(self) -> threading.Event:
        return self._on_loop(lambda: self._each(lambda s: s.send({"type": "reload"})))

    @property
    def problems(self) -> tuple[Problem, ...]:
        with self._lock:
            return tuple(p for source in (PYTHON, BUILD) for p in self._problems[source])

    def show_problems(self, source: str, problems: Sequence[Problem]) -> threading.Event:
        """Replace the errors of `source` on every open page (none: that source is fixed)."""
        with self._lock:
            self._problems[source] = tuple(problems)
        return self._on_loop(lambda: self._each(lambda s: s.send_problems()))

    def close_all(self) -> threading.Event:
        """Close every socket with 1012 (service restart): the pages reconnect to the next one."""
        self.closing = True
        return self._on_loop(lambda: self._each(lambda s: s.close(1012, "server restarting")))


class LiveReloadSocket(WebSocketHandler):
    """GET: the live-reload socket. POST (from this machine): reload every page."""

    hub: LiveReloadHub

    def initialize(self, hub: LiveReloadHub) -> None:
        self.hub = hub

    def check_origin(self, origin: str) -> bool:
        # Only pages of this server: the messages carry compile errors, with source lines.
        # (The application refuses host names it does not know before this.)
        host = self.request.headers.get("Host", "")
        return bool(host) and urlsplit(origin).netloc.lower() == host.lower()

    @property
    def local(self) -> bool:
        """Whether this client sees the problems' details (server/traceback_policy.py)."""
        request = self.request
        return self.hub.tracebacks.shows(
            request.remote_ip, request.headers.get("Host"), request.headers
        )

    def check_xsrf_cookie(self) -> None:
        """No XSRF here: POST is refused to anyone but this machine instead."""

    def open(self, *args: Any) -> None:
        if self.hub.closing:
            self.close(1012, "server restarting")  # come back: the next server is on its way
            return
        self.hub.attach(self)
        self.send({"type": "hello", "boot": self.hub.boot_id})
        if self.hub.problems:
            self.send_problems()

    def on_close(self) -> None:
        self.hub.detach(self)

    def send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(WebSocketClosedError):
            self.write_message(json.dumps(message))

    def send_problems(self) -> None:
        """The current errors; a client on another machine only learns that there are some."""
        local = self.local
        shown = [(p if local else p.redacted()).to_json() for p in self.hub.problems]
        self.send({"type": "problems", "problems": shown})

    def post(self) -> None:
        # A page of another site can POST here too (a form needs no CORS): the browser says so.
        origin = self.request.headers.get("Origin")
        if not is_loopback_name(self.request.remote_ip or "") or (
            origin is not None and not self.check_origin(origin)
        ):
            self.set_status(403)
            self.finish({"error": "live reload can only be triggered from this machine"})
            return
        self.hub.reload()
        self.finish({"reloading": True})
