"""`serve --reload --build-watch`: one terminal, prefixed lines, pages reload after a build."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from geppetto_dev.config import load_settings
from geppetto_dev.procs.channel import Channel
from geppetto_dev.procs.groups import child_env, group_members
from geppetto_dev.procs.handoff import child_argv
from geppetto_dev.reload.messages import FrontendBuilt, Start
from geppetto_dev.server.server import bind
from tests.fixtures.frontend_repo import WEBAPP_PATH, set_fixture_version
from tests.frontend.conftest import Lines, cli_env, needs_node, run_cli
from tests.frontend.test_init_serve import request
from tests.reload.reloading import hello, make_project
from tests.support import children, free_port


class LiveReloadClient:
    """A live-reload socket client reading in the background: the types of messages received."""

    def __init__(self, port: int, path: str) -> None:
        self.events: queue.Queue[str] = queue.Queue()
        self._url = f"ws://127.0.0.1:{port}{path}"
        self._origin = f"http://127.0.0.1:{port}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: WebSocketClientConnection | None = None
        threading.Thread(target=lambda: asyncio.run(self._read()), daemon=True).start()

    async def _read(self) -> None:
        self._loop = asyncio.get_running_loop()
        request = HTTPRequest(self._url, headers={"Origin": self._origin})
        self._conn = await websocket_connect(request)
        while (message := await self._conn.read_message()) is not None:
            self.events.put(json.loads(message)["type"])

    def wait_for(self, name: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.events.get(timeout=0.2) == name:
                    return
            except queue.Empty:
                continue
        raise AssertionError(f"no {name!r} message")

    def close(self) -> None:
        # The server may have closed the socket already, ending the reader's loop.
        if self._loop is not None and self._conn is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._conn.close)


@needs_node
def test_serve_reload_build_watch_reloads_pages_and_survives_a_crashed_watcher(
    inited: Path,
) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev", "serve", "--reload", "--build-watch"],
        cwd=inited,
        env=cli_env(GEPPETTO_DEV_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stream: LiveReloadClient | None = None
    try:
        lines = Lines(proc)
        lines.wait_for(f"server  | Serving Geppetto on http://127.0.0.1:{port}/")
        lines.wait_for("webpack | webpack: watching js/ for changes")
        stream = LiveReloadClient(port, "/_geppetto/livereload")
        stream.wait_for("hello")
        groups = children(proc.pid)
        assert len(groups) == 2

        webapp = inited / "frontend" / WEBAPP_PATH
        set_fixture_version(webapp, "rebuilt")
        # The watcher's first build (on start) may be reported too, before or after the edit:
        # each report reloads the pages; the one for the rebuilt bundle must come.
        bundle_url = f"http://127.0.0.1:{port}/org.geppetto.frontend/geppetto/build/main.bundle.js"
        served = []
        for _ in range(2):
            lines.wait_for("webpack | build finished; reloading open pages")
            stream.wait_for("reload")
            status, bundle = request(bundle_url)
            served.append(bundle)
            if status == 200 and "rebuilt" in bundle:
                break
            lines.seen.clear()  # wait for the next report
        assert "rebuilt" in served[-1]

        # The watcher crashes: reported, and the server keeps serving.
        node = next(
            pid
            for group in groups
            for pid in group_members(group)
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"node\0")
        )
        os.kill(node, signal.SIGKILL)
        lines.wait_for("webpack | exited with code")
        status, body = request(f"http://127.0.0.1:{port}/api/people")
        assert status == 200 and isinstance(json.loads(body), list)
        assert proc.poll() is None

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert all(group_members(group) == [] for group in groups)
        assert all(line.startswith(("server  | ", "webpack | ")) for line in lines.rest())
    finally:
        if stream is not None:
            stream.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@needs_node
def test_build_watch_with_a_busy_port_is_one_line_before_anything_starts(inited: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_cli("serve", "--build-watch", "--port", str(port), cwd=inited, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: port {port} on 127.0.0.1 is already in use")
    assert "webpack |" not in done.stdout


def test_the_server_child_gets_the_sockets_and_settings_and_frontend_builds(
    tmp_path: Path,
) -> None:
    """The hand-off --build-watch makes, without node: bound sockets and Settings go down."""
    project = make_project(tmp_path)
    # A value with a comma: it once went down as an environment string and came back split.
    settings = load_settings(
        {"app": "app:app", "port": 0, "reload": True, "reload_excludes": ("a,b",)},
        project_dir=project,
        environ={},
    )
    sockets = bind(settings)
    port = sockets[0].getsockname()[1]
    channel, theirs = Channel.pair()
    argv, fds = child_argv("geppetto_dev.serve", theirs, sockets, parent=os.getpid())
    channel.send(Start(settings))
    proc = subprocess.Popen(
        argv,
        pass_fds=fds,
        cwd=project,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    theirs.close()
    for sock in sockets:
        sock.close()  # the child serves on them; the port stays bound
    try:
        lines = Lines(proc)
        lines.wait_for("excluding 'a,b'")
        lines.wait_for(f"Serving Geppetto on http://127.0.0.1:{port}/")
        live, _boot = hello(port)
        channel.send(FrontendBuilt())
        assert live.next_message() == {"type": "reload"}
        live.close()
        lines.wait_for("Frontend build finished; reloading open pages.")
        # The parent going away (its channel end closing) stops the child and its servers.
        channel.close()
        assert proc.wait(timeout=30) == 0
        assert group_members(proc.pid) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
