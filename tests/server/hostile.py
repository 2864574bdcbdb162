"""Clients as an attacker on this machine would write them, and a project that serves a big
model, for tests and bench/hostile_clients.py against a real `geppetto-dev serve`.

Everything is on loopback and every loop is bounded (a deadline or a count).
"""

from __future__ import annotations

import json
import selectors
import socket
import textwrap
import time
from pathlib import Path

from tests.server.rawws import CLOSE, PING, PONG, TEXT, Frame, RawWebSocket, frame

__all__ = [
    "BIG_PROJECT_ID",
    "WEBSOCKET_PATH",
    "Flooder",
    "SlowReader",
    "request_frame",
    "rss_mb",
    "write_hostile_project",
]

WEBSOCKET_PATH = "/org.geppetto.frontend/GeppettoServlet"
BIG_PROJECT_ID = 901

# A model of random cylinders (gzip cannot shrink it much): 20k cylinders are a 10 MB JSON
# model, a 2.2 MB frame; the same test `explode` handler fails on purpose.
_PROJECT = '''
"""A big model and a failing handler, as hostile-client tests need them."""

import random

from flask import Flask

from geppetto_dev import handler, model as gm
from geppetto_dev.projects import Experiment, project


def create_app():
    app = Flask("hostile")

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail from a Flask view")

    return app


@handler("explode")
def explode(conn, data):
    raise RuntimeError("secret detail from a handler")


@project(
    id={big_id},
    name="big",
    experiments=[Experiment(1, "fails", watched=["cell0.v"])],
)
def big():
    rnd = random.Random(1)
    m = gm.GeppettoModel("big")
    lib = m.add_library("big")
    for t in range(20):
        cylinders = [
            gm.cylinder(
                f"sec{{i}}",
                rnd.random(),
                rnd.random(),
                (rnd.random(), rnd.random(), rnd.random()),
                (rnd.random(), rnd.random(), rnd.random()),
            )
            for i in range({cylinders} // 20)
        ]
        morph = lib.add(gm.CompositeVisualType(f"morph{{t}}", variables=cylinders))
        cell = lib.add(
            gm.CompositeType(f"cell{{t}}", variables=[gm.state_variable("v")], visual_type=morph)
        )
        m.add_variable(gm.Variable(f"cell{{t}}", cell))
    return m


@big.run
def run(request):
    raise RuntimeError("secret detail from a run")
'''


def write_hostile_project(root: Path, cylinders: int = 20_000) -> Path:
    """A project folder `serve` runs: the big project (id 901), /boom and `explode`."""
    package = root / "hostile_app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(
        textwrap.dedent(_PROJECT).format(big_id=BIG_PROJECT_ID, cylinders=cylinders)
    )
    (root / "pyproject.toml").write_text(
        "[tool.geppetto-dev]\n"
        'app = "hostile_app.app:create_app"\n'
        'handlers = "hostile_app"\n'
        'projects = "hostile_app"\n'
        'frontend-dir = "frontend"\n'
    )
    return root


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (VmRSS from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def settled_rss(pid: int, seconds: float = 15.0, every: float = 1.0) -> float:
    """RSS once two readings `every` seconds apart differ by less than `every` MB (or after
    `seconds`)."""
    deadline = time.monotonic() + seconds
    last = rss_mb(pid)
    while time.monotonic() < deadline:
        time.sleep(every)
        now = rss_mb(pid)
        if abs(now - last) < every:
            return now
        last = now
    return last


def load_big_project(port: int) -> int:
    """A well-behaved load of the big project: the bytes of its four replies."""
    ws = RawWebSocket(port, WEBSOCKET_PATH)
    ws.recv(), ws.recv()
    ws.send(request_frame("load_project_from_id", "ok-1", {"projectId": BIG_PROJECT_ID}))
    size = sum(len(ws.recv().payload) for _ in range(4))
    ws.close()
    return size


def request_frame(kind: str, request_id: str, data: object = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    text = json.dumps({"requestID": request_id, "type": kind, "data": payload})
    return frame(TEXT, text.encode())


def _connect(port: int) -> RawWebSocket:
    ws = RawWebSocket(port, WEBSOCKET_PATH)
    assert ws.status == 101, ws.status
    ws.recv(), ws.recv()  # client_id, user_privileges
    return ws


class Flooder:
    """Sends `geppetto_version` requests as fast as the socket takes them; reads nothing.

    Counts whole requests sent, so that, once it reads, it can check every one was answered.
    """

    def __init__(self, port: int, batch: int = 1000) -> None:
        # The kernel's own buffer sizes: shrunk ones, with the server's replies each in its
        # own small segment (TCP_NODELAY), make the client's kernel drop segments, and both
        # ends stall in retransmission backoff before the server sees anything unread.
        self.ws = _connect(port)
        self.ws.sock.setblocking(False)
        self.frame_size = len(request_frame("geppetto_version", "f-000000000"))
        self.batch = batch
        self.sent_bytes = 0
        self._pending = memoryview(b"")

    @property
    def requests(self) -> int:
        return self.sent_bytes // self.frame_size

    def _next_batch(self) -> memoryview:
        first = self.requests
        frames = (
            request_frame("geppetto_version", f"f-{i:09d}")
            for i in range(first, first + self.batch)
        )
        return memoryview(b"".join(frames))

    def flood(self, seconds: float, stall: float = 2.0) -> bool:
        """Send for up to `seconds`; True once the server stopped reading for `stall` seconds."""
        deadline = time.monotonic() + seconds
        with selectors.DefaultSelector() as selector:
            selector.register(self.ws.sock, selectors.EVENT_WRITE)
            while time.monotonic() < deadline:
                if not selector.select(stall):
                    return True
                if not self._pending:
                    self._pending = self._next_batch()
                try:
                    n = self.ws.sock.send(self._pending)
                except BlockingIOError:
                    continue
                self.sent_bytes += n
                self._pending = self._pending[n:]
        return False

    def drain(self, seconds: float) -> tuple[set[str], Frame | None]:
        """Finish the request cut in half, then read: the requestIDs answered (and a close)."""
        rest = self._pending[
            : (self.frame_size - self.sent_bytes % self.frame_size) % self.frame_size
        ]
        self.ws.sock.setblocking(True)
        self.ws.sock.settimeout(seconds)
        if rest:
            self.ws.sock.sendall(rest)
            self.sent_bytes += len(rest)
        answered: set[str] = set()
        deadline = time.monotonic() + seconds
        while len(answered) < self.requests and time.monotonic() < deadline:
            received = self.ws.recv()
            if received.opcode == CLOSE:
                return answered, received
            if received.opcode == PING:
                self.ws.send(frame(PONG, received.payload))
                continue
            answered.add(json.loads(received.payload)["requestID"])
        return answered, None

    def close(self) -> None:
        self.ws.close()


class SlowReader:
    """Asks for the big project `loads` times, then never reads (a tiny receive buffer)."""

    def __init__(self, port: int, loads: int) -> None:
        self.ws = _connect(port)
        self.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.ws.send(
            b"".join(
                request_frame("load_project_from_id", f"load-{i}", {"projectId": BIG_PROJECT_ID})
                for i in range(loads)
            )
        )

    def read_until_close(self, seconds: float) -> Frame | None:
        """Read everything sent; the server's close frame, or None if it never came."""
        self.ws.sock.settimeout(seconds)
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                received = self.ws.recv()
                if received.opcode == CLOSE:
                    return received
        except (OSError, ConnectionError):
            return None
        return None

    def close(self) -> None:
        self.ws.close()
