"""A real stack on a loopback port, running in a thread with its own event loop."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from tornado.httpclient import HTTPRequest
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.websocket import WebSocketClientConnection, websocket_connect

from geppetto_dev.application import GeppettoApp
from geppetto_dev.config import Settings
from geppetto_dev.interpreters import InterpreterRegistry
from geppetto_dev.projects import Project
from geppetto_dev.protocol import Registry, read_frame
from geppetto_dev.server.stack import EXECUTOR_KEY, make_app

T = TypeVar("T")

PAGE = (
    '<!DOCTYPE html><html><head><base href="/org.geppetto.frontend/"/></head>'
    '<body><div id="sim">$content</div>'
    '<script src="geppetto/build/main.bundle.js"></script></body></html>'
)


def make_webapp(root: Path) -> Path:
    """A built frontend webapp folder, as the npm build leaves it."""
    (root / "build").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "fixture-webapp"}')
    (root / "build" / "geppetto.vm").write_text(PAGE)
    (root / "build" / "main.bundle.js").write_text("window.GEPPETTO_BUNDLE = true;\n")
    (root / "style").mkdir()
    (root / "style" / "main.css").write_text("body { margin: 0; }\n")
    return root


class RunningServer:
    """A started GeppettoApp served by the real stack (its services open, as under `serve`)."""

    def __init__(self, app: GeppettoApp, extra_routes: list[Any] | None = None) -> None:
        self.app = app
        self.settings = app.settings
        self._extra_routes = extra_routes
        self._sockets = bind_sockets(0, "127.0.0.1")
        self.port = self._sockets[0].getsockname()[1]
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("server did not start")
        if self._error:
            raise self._error

    async def _main(self) -> None:
        try:
            await asyncio.to_thread(self.app.start)
            app = self.tornado = make_app(self.app, extra_routes=self._extra_routes)
            server = HTTPServer(app)
            server.add_sockets(self._sockets)
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        server.stop()
        await server.close_all_connections()
        app.settings[EXECUTOR_KEY].shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self.app.close)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{self.settings.websocket_path}"

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)


@pytest.fixture
def webapp(tmp_path: Path) -> Path:
    return make_webapp(tmp_path / "webapp")


@pytest.fixture
def projects() -> list[Project]:
    """The projects the servers of a test serve; project fixtures add theirs."""
    return []


@pytest.fixture
def start_server(tmp_path: Path, webapp: Path, projects: list[Project]) -> Iterator[Any]:
    servers: list[RunningServer] = []

    def start(
        flask_app: Flask | None = None,
        registry: Registry | None = None,
        extra_routes: list[Any] | None = None,
        served: list[Project] | None = None,
        interpreters: InterpreterRegistry | None = None,
        **overrides: Any,
    ) -> RunningServer:
        settings = replace(Settings(project_dir=tmp_path, frontend_dir=webapp), **overrides)
        app = GeppettoApp(
            settings,
            flask_app=flask_app or Flask("empty"),
            handlers=registry,
            projects=[*projects, *(served or ())],
            # Runs in threads of this process, so a test can hold one with an Event.
            executor=ThreadPoolExecutor(2, thread_name_prefix="geppetto-test-run"),
            interpreters=interpreters,
        )
        server = RunningServer(app, extra_routes)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


class Client:
    """A WebSocket client that reads frames the way the Geppetto frontend does."""

    def __init__(self, conn: WebSocketClientConnection) -> None:
        self.conn = conn

    async def recv(self, timeout: float = 5.0) -> Any:
        frame = await asyncio.wait_for(self.conn.read_message(), timeout)
        if frame is None:
            raise ConnectionError(f"closed: {self.conn.close_code} {self.conn.close_reason}")
        return read_frame(frame)

    async def request(self, kind: str, data: Any = None, request_id: str = "null-0") -> None:
        payload = data if isinstance(data, str) else json.dumps(data)
        await self.conn.write_message(
            json.dumps({"requestID": request_id, "type": kind, "data": payload})
        )

    async def handshake(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return await self.recv(), await self.recv()


async def connect(url: str, origin: str | None = None, **kwargs: Any) -> Client:
    headers = {"Origin": origin} if origin else {}
    conn = await websocket_connect(HTTPRequest(url, headers=headers), **kwargs)
    return Client(conn)


def error_of(message: dict[str, Any]) -> dict[str, Any]:
    """The inner generic_error object, parsed as the client's error dialog does."""
    assert message["type"] == "generic_error"
    inner: dict[str, Any] = json.loads(json.loads(message["data"])["message"])
    return inner


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: another test's event loop may be running in this one
    (Playwright's sync API keeps one open)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
