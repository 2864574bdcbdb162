"""A real `geppetto-dev serve --reload` process over a small project, for the reload tests."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import REPO, wait_until

SERVING = re.compile(r"Serving Geppetto on http://127\.0\.0\.1:(\d+)/")

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


def pid_alive(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@dataclass
class ReloadServer:
    project: Path
    proc: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    port: int = 0
    pump: threading.Thread | None = None  # reads the output until the process closes it

    def text(self) -> str:
        return "".join(self.output)

    def wait_output(self, needle: str, start: int = 0, timeout: float = 15.0) -> None:
        wait_until(lambda: needle in "".join(self.output[start:]), timeout, repr(needle))

    def fetch(self, path: str = "/text") -> tuple[int, str]:
        return get(self.port, path)

    def wait_text(self, text: str, path: str = "/text", timeout: float = 15.0) -> None:
        def served() -> bool:
            try:
                return self.fetch(path)[1] == text
            except OSError:
                return False

        wait_until(served, timeout, f"{text!r} at {path}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()


def start_reload_server(
    project: Path,
    *args: str,
    preexec: Callable[[], None] | None = None,
    expect_serving: bool = True,
) -> ReloadServer:
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev", "serve", "--reload", "--port", "0", *args],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=preexec,
    )
    server = ReloadServer(project, proc)
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.output.append(line)
            match = SERVING.search(line)
            if match and not server.port:
                server.port = int(match.group(1))
                ready.set()
        ready.set()

    server.pump = threading.Thread(target=pump, daemon=True)
    server.pump.start()
    if expect_serving:
        ready.wait(30)
        if not server.port:
            server.stop(signal.SIGKILL)
            raise AssertionError("serve --reload did not start:\n" + server.text())
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
        self.conn.close()
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
