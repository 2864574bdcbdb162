"""Browser live reload for `serve --reload`, served by each server child.

Pages get a small script (injected into HTML responses of the Flask app, only in reload mode)
that listens to a Server-Sent Events stream at `/_geppetto/livereload`. Every server child has
its own boot id and announces it on connect; the script reloads the page when it reconnects to
a server with a different boot id, so it reloads exactly when the new code answers. The
supervisor can also push a reload (a finished frontend build) or an error (a save that does not
compile), and a POST to the same URL from this machine triggers a reload.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import json
import re
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request_finished
from tornado.ioloop import IOLoop
from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler

__all__ = [
    "LIVERELOAD_PATH",
    "LiveReloadHub",
    "inject_script",
    "install_injection",
    "script_tag",
]

LIVERELOAD_PATH = "/_geppetto/livereload"
# How soon (ms) a browser reconnects after the stream ends; small, as the port never refuses.
RETRY_MS = 100

_SCRIPT = """<script data-geppetto-livereload>(function(){
var boot=%(boot)s,url=%(url)s,box=null;
function show(t){if(!box){box=document.createElement("pre");box.setAttribute("style",
"position:fixed;z-index:2147483647;left:0;right:0;bottom:0;max-height:60%%;overflow:auto;margin:0;"+
"padding:1em;background:#2b0000;color:#ffd7d7;font:13px/1.4 monospace;white-space:pre-wrap");
(document.body||document.documentElement).appendChild(box);}box.textContent=t;}
function connect(){var es=new EventSource(url);
es.addEventListener("hello",function(e){if(e.data!==boot){es.close();location.reload();}});
es.addEventListener("reload",function(){es.close();location.reload();});
es.addEventListener("failure",function(e){show(JSON.parse(e.data));});
es.onerror=function(){if(es.readyState===2){setTimeout(connect,%(retry)d);}};}
connect();})();</script>"""


def script_tag(boot_id: str) -> str:
    return _SCRIPT % {
        "boot": json.dumps(boot_id),
        "url": json.dumps(LIVERELOAD_PATH),
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


def _is_local(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class LiveReloadHub:
    """The open event streams of one server child, fed from any thread."""

    def __init__(self, boot_id: str, failure: str | None = None) -> None:
        self.boot_id = boot_id
        self.failure = failure
        # Set once this server is on its way out: new streams are told to come back shortly.
        self.closing = False
        self._streams: set[LiveReloadHandler] = set()
        self._loop: IOLoop | None = None
        self._lock = threading.Lock()

    def routes(self) -> list[tuple[str, type[RequestHandler], dict[str, Any]]]:
        return [(re.escape(LIVERELOAD_PATH), LiveReloadHandler, {"hub": self})]

    def attach(self, stream: LiveReloadHandler) -> None:
        with self._lock:
            self._loop = IOLoop.current()
            self._streams.add(stream)

    def detach(self, stream: LiveReloadHandler) -> None:
        with self._lock:
            self._streams.discard(stream)

    def _on_loop(self, callback: Callable[[], None]) -> threading.Event:
        """Run `callback` on the server's loop; the returned event is set once it ran."""
        done = threading.Event()
        with self._lock:
            loop = self._loop if self._streams else None
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

    def _each(self, action: Callable[[LiveReloadHandler], None]) -> None:
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            action(stream)

    def reload(self) -> threading.Event:
        return self._on_loop(lambda: self._each(lambda s: s.send_event("reload", "")))

    def show_failure(self, text: str) -> threading.Event:
        self.failure = text
        data = json.dumps(text)
        return self._on_loop(lambda: self._each(lambda s: s.send_event("failure", data)))

    def close_all(self) -> threading.Event:
        """End every stream, so the server's shutdown does not wait for them."""
        self.closing = True
        return self._on_loop(lambda: self._each(lambda s: s.close_stream()))


class LiveReloadHandler(RequestHandler):
    """GET: the event stream. POST (from this machine): reload every page."""

    hub: LiveReloadHub

    def initialize(self, hub: LiveReloadHub) -> None:
        self.hub = hub

    def check_xsrf_cookie(self) -> None:
        """No XSRF here: POST is refused to anyone but this machine instead."""

    async def get(self) -> None:
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-store")
        self.write(f"retry: {RETRY_MS}\n\n")
        if self.hub.closing:
            return  # the stream ends here; the browser reconnects to the next server
        self.write(f"event: hello\ndata: {self.hub.boot_id}\n\n")
        if self.hub.failure:
            self.write(f"event: failure\ndata: {json.dumps(self.hub.failure)}\n\n")
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.hub.attach(self)
        try:
            await self.flush()
            await self._closed
        except StreamClosedError:
            pass
        finally:
            self.hub.detach(self)

    def post(self) -> None:
        if not _is_local(self.request.remote_ip or ""):
            self.set_status(403)
            self.finish({"error": "live reload can only be triggered from this machine"})
            return
        self.hub.reload()
        self.finish({"reloading": True})

    def send_event(self, event: str, data: str) -> None:
        if self.request.connection is None or self._finished:
            return
        self.write(f"event: {event}\ndata: {data}\n\n")
        self.flush()

    def close_stream(self) -> None:
        # Drop the connection outright: the browser then reconnects on a new one, which waits in
        # the listening socket's queue for the next server instead of reusing this one.
        if self.request.connection is not None:
            self.request.connection.close()  # type: ignore[attr-defined]
        self._wake()

    def on_connection_close(self) -> None:
        self._wake()

    def _wake(self) -> None:
        closed = getattr(self, "_closed", None)
        if closed is not None and not closed.done():
            closed.set_result(None)


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
