"""Frames the project's handlers cannot produce, written straight onto the inspector's socket.

The stack runs in this process (a thread with its own event loop) so the test can reach the open
connection: a text `ping`, a frame that is not JSON, a file frame with another first byte than
0x01, and a gzip frame that is not gzip.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application

from geppetto_dev.application import GeppettoApp
from geppetto_dev.config import Settings
from geppetto_dev.server.stack import EXECUTOR_KEY, make_app
from geppetto_dev.server.websocket import CONNECTIONS_KEY
from tests.browser.conftest import Watched

INSPECTOR = "/_geppetto/inspector"


class InProcessServer:
    def __init__(self, settings: Settings) -> None:
        self.sockets = bind_sockets(0, "127.0.0.1")
        self.url = f"http://127.0.0.1:{self.sockets[0].getsockname()[1]}"
        self.app: Application | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(settings),))
        self._thread.start()
        assert self._ready.wait(10), "server did not start"

    async def _main(self, settings: Settings) -> None:
        self.app = make_app(GeppettoApp(settings, flask_app=Flask("empty")))
        server = HTTPServer(self.app)
        server.add_sockets(self.sockets)
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        server.stop()
        await server.close_all_connections()
        self.app.settings[EXECUTOR_KEY].shutdown(wait=False)

    def write(self, frame: str | bytes) -> None:
        """Write one frame, unchanged, to every open WebSocket."""
        assert self.app is not None and self.loop is not None

        def write_all() -> None:
            assert self.app is not None
            for conn in self.app.settings[CONNECTIONS_KEY]:
                conn.write_message(frame, binary=isinstance(frame, bytes))

        self.loop.call_soon_threadsafe(write_all)

    def stop(self) -> None:
        if self.loop is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    running = InProcessServer(Settings(project_dir=tmp_path))
    yield running
    running.stop()


def envelope(kind: str, payload: Any, request_id: str | None = None) -> str:
    return json.dumps({"requestID": request_id, "type": kind, "data": json.dumps(payload)})


def test_pings_odd_frames_and_bad_gzip(server: InProcessServer, watched: Watched) -> None:
    page = watched.page
    page.goto(server.url + INSPECTOR)
    expect(page.locator('li.msg[data-type="user_privileges"]')).to_have_count(1)

    server.write("ping")
    server.write("this is not JSON")
    name = b"results.csv"
    server.write(b"\x02" + bytes([len(name)]) + name + b"t,v\n0,1\n")
    server.write(b"\x00" + b"not gzip at all")
    nested = {"update": json.dumps({"inner": json.dumps({"deepest": [1, 2]})})}
    server.write(b"\x00" + gzip.compress(envelope("experiment_status", nested).encode()))

    # Frames are shown in arrival order, the bad gzip as an error note in between.
    status = page.locator('li.msg[data-type="experiment_status"]')
    expect(status).to_have_count(1)
    expect(status.locator(".tag")).to_have_text("gzip")
    # Unwrapped at every level: a JSON string inside a JSON string inside `data`.
    expect(status.locator("pre.data")).to_contain_text('"deepest": [')
    expect(page.locator("li.note.error")).to_contain_text("could not read a frame")
    counts = "5 messages \u00b7 5 in \u00b7 0 out \u00b7 1 pings"
    expect(page.locator("#counts")).to_have_text(counts)
    types = page.locator("li.msg").evaluate_all("nodes => nodes.map(n => n.dataset.type)")
    assert types == ["client_id", "user_privileges", "(not JSON)", "(file)", "experiment_status"]
    expect(page.locator('li.msg[data-type="(not JSON)"]')).to_have_class("msg in error")
    expect(page.locator("#downloads a")).to_have_text("results.csv")
    file_entry = page.locator('li.msg[data-type="(file)"]')
    expect(file_entry.locator("pre.data")).to_contain_text('"text": "t,v\\n0,1\\n"')
    file_entry.locator("button.tab", has_text="raw").click()
    expect(file_entry.locator("pre.data")).to_contain_text("first byte 0x02")
    expect(page.locator("#status")).to_have_attribute("data-state", "open")
