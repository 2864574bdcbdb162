"""A real `geppetto-dev serve --reload` process over a small project, for the reload tests."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from pathlib import Path

from tests.support import ServeProcess, wait_until

APP = """\
from flask import Flask

import message

app = Flask(__name__)


@app.route("/text")
def text():
    return message.TEXT


@app.route("/page")
def page():
    return "<!doctype html><html><body><p>" + message.TEXT + "</p></body></html>"


@app.route("/slow")
def slow():
    # Answers once the test creates slow-release (at most 10 s): a request in progress.
    import pathlib, time

    pathlib.Path("slow-started").write_text("yes")
    for _ in range(1000):
        if pathlib.Path("slow-release").exists():
            break
        time.sleep(0.01)
    return "slow " + message.TEXT
"""


def make_project(folder: Path, text: str = "v1") -> Path:
    (folder / "app.py").write_text(APP)
    write_message(folder, text)
    return folder


def write_message(folder: Path, text: str) -> None:
    (folder / "message.py").write_text(f"TEXT = {text!r}\n")


def get(port: int, path: str = "/text", timeout: float = 10.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


class ReloadServer(ServeProcess):
    """`geppetto-dev serve --reload` over a project made by make_project, asked over HTTP."""

    def fetch(self, path: str = "/text") -> tuple[int, str]:
        return get(self.port, path)

    def wait_text(self, text: str, path: str = "/text", timeout: float = 15.0) -> None:
        def served() -> bool:
            try:
                return self.fetch(path)[1] == text
            except OSError:
                return False

        wait_until(served, timeout, f"{text!r} at {path}")


def start_reload_server(
    project: Path,
    *args: str,
    preexec: Callable[[], None] | None = None,
    expect_serving: bool = True,
) -> ReloadServer:
    """`serve --reload --port 0 ARGS`; once it serves, unless it is expected to fail first."""
    server = ReloadServer(project, "--reload", "--port", "0", *args, preexec=preexec)
    if expect_serving:
        server.wait_serving()
    return server


class LiveSocket:
    """A client of /_geppetto/livereload, as the page script is, read one message at a time."""

    def __init__(self, port: int, origin: str | None = None) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.ioloop import IOLoop
        from tornado.websocket import WebSocketClientConnection, websocket_connect

        self.loop = IOLoop(make_current=False)
        url = f"ws://127.0.0.1:{port}/_geppetto/livereload"
        request = HTTPRequest(url, headers={"Origin": origin} if origin else {})
        try:
            self.conn: WebSocketClientConnection = self.loop.run_sync(
                lambda: websocket_connect(request), timeout=15
            )
        except BaseException:
            self.loop.close(all_fds=True)
            raise

    def next_message(self) -> dict[str, str] | None:
        """The next message, or None once the server closed the socket."""
        message = self.loop.run_sync(self.conn.read_message, timeout=15)
        return None if message is None else json.loads(message)

    @property
    def close_code(self) -> int | None:
        return self.conn.close_code

    def close(self) -> None:
        # On its own loop: outside it there may be no current event loop (an asyncio.run
        # earlier in this thread leaves none).
        self.loop.run_sync(self.conn.close)
        self.loop.close(all_fds=True)


def hello(port: int) -> tuple[LiveSocket, str]:
    """Connect as the page script does; a server on its way out says "come back" (1012)."""
    for _attempt in range(200):
        sock = LiveSocket(port)
        message = sock.next_message()
        if message is not None:
            assert message["type"] == "hello"
            return sock, message["boot"]
        assert sock.close_code == 1012
        sock.close()
        time.sleep(0.01)
    raise AssertionError("no hello from the live-reload socket")
