"""Browser live reload for `serve --reload`, served by each server child.

Pages get a small script (injected into HTML responses of the Flask app, only in reload mode)
that keeps a WebSocket open to `/_geppetto/livereload` (a WebSocket, unlike an event stream, does
not use up one of the browser's six HTTP connections per host in every open tab). Every server
child has its own boot id and announces it on connect; the script reloads the page when it
reconnects to a server with a different boot id, so it reloads exactly when the new code
answers. The supervisor can also push a reload (a finished frontend build) or an error (a save
that does not compile), and a POST to the same URL from this machine triggers a reload.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request_finished
from tornado.ioloop import IOLoop
from tornado.web import RequestHandler
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from geppetto_dev.server.hosts import is_loopback_name
from geppetto_dev.server.tracebacks import TracebackPolicy

__all__ = [
    "LIVERELOAD_PATH",
    "LiveReloadHub",
    "inject_script",
    "install_injection",
    "script_tag",
]

LIVERELOAD_PATH = "/_geppetto/livereload"
# How soon (ms) a page reconnects after its socket closed; small, as the port never refuses.
RETRY_MS = 100
# What a page on another machine is shown instead of the error (which may quote source lines).
FAILURE_ELSEWHERE = "The server's code has an error; the details are in the server's terminal."

_SCRIPT = """<script data-geppetto-livereload>(function(){
var boot=%(boot)s,box=null,url=(location.protocol==="https:"?"wss://":"ws://")+location.host+%(path)s;
function show(t){if(!box){box=document.createElement("pre");box.setAttribute("style",
"position:fixed;z-index:2147483647;left:0;right:0;bottom:0;max-height:60%%;overflow:auto;margin:0;"+
"padding:1em;background:#2b0000;color:#ffd7d7;font:13px/1.4 monospace;white-space:pre-wrap");
(document.body||document.documentElement).appendChild(box);}box.textContent=t;}
function connect(){var ws=new WebSocket(url);
ws.onmessage=function(e){var m=JSON.parse(e.data);
if(m.type==="reload"||(m.type==="hello"&&m.boot!==boot)){ws.onclose=null;location.reload();}
else if(m.type==="failure"){show(m.text);}};
ws.onclose=function(){setTimeout(connect,%(retry)d);};}
connect();})();</script>"""


def script_tag(boot_id: str) -> str:
    return _SCRIPT % {
        "boot": json.dumps(boot_id),
        "path": json.dumps(LIVERELOAD_PATH),
        "retry": RETRY_MS,
    }


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
# Flask labels every str it returns text/html; only a page (not "ok" or a fragment) gets a script.
_PAGE = re.compile(rb"<(?:!doctype\s+html|html|body)[\s>]", re.IGNORECASE)


def is_page(body: bytes) -> bool:
    return _PAGE.search(body, 0, 4096) is not None


def inject_script(page: bytes, boot_id: str) -> bytes:
    """The page with the script before its last </body>, or at its end."""
    tag = script_tag(boot_id).encode()
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + tag
    at = ends[-1].start()
    return page[:at] + tag + page[at:]


def install_injection(boot_id: str) -> Callable[..., None]:
    """Inject the script into every HTML response of every Flask app in this process.

    Uses Flask's request_finished signal rather than wrapping one app, so it also covers an
    app made by a factory; only plain (not streamed, not compressed) HTML bodies are touched.
    """

    def inject(sender: Flask, response: Response, **_extra: Any) -> None:
        if (
            response.mimetype != "text/html"
            or response.is_streamed
            or response.direct_passthrough
            or response.headers.get("Content-Encoding")
        ):
            return
        body = response.get_data()
        if is_page(body):
            response.set_data(inject_script(body, boot_id))

    request_finished.connect(inject, weak=False)
    return inject


class LiveReloadHub:
    """The open live-reload sockets of one server child, fed from any thread."""

    def __init__(
        self, boot_id: str, tracebacks: TracebackPolicy, failure: str | None = None
    ) -> None:
        self.boot_id = boot_id
        self.tracebacks = tracebacks  # who is shown a failure's text
        self.failure = failure
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

    def show_failure(self, text: str) -> threading.Event:
        self.failure = text
        return self._on_loop(lambda: self._each(lambda s: s.send_failure(text)))

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
        """Whether this client sees error text (server/tracebacks.py)."""
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
        if self.hub.failure:
            self.send_failure(self.hub.failure)

    def on_close(self) -> None:
        self.hub.detach(self)

    def send(self, message: dict[str, str]) -> None:
        with contextlib.suppress(WebSocketClosedError):
            self.write_message(json.dumps(message))

    def send_failure(self, text: str) -> None:
        self.send({"type": "failure", "text": text if self.local else FAILURE_ELSEWHERE})

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


def failure_page(title: str, detail: str | None) -> str:
    """An error page for a server that cannot run the project's code."""
    body = (
        f"<pre>{html.escape(detail)}</pre>"
        if detail
        else "<p>The details are in the server's terminal.</p>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>body{{font:15px/1.5 system-ui,sans-serif;"
        "margin:2rem;color:#222}pre{background:#fbeaea;padding:1rem;overflow:auto;"
        "white-space:pre-wrap}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}"
        "<p>Save a fix and this page reloads by itself.</p></body></html>"
    )
