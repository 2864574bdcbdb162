"""`geppetto-dev serve` as a user runs it: a real process, real HTTP and WebSocket clients."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import connect, make_webapp, run_async
from tests.support import ServeProcess, free_port

REPO = Path(__file__).resolve().parents[1]

APP = """
from flask import Flask
from flask_restful import Api, Resource

import geppetto_dev

app = Flask(__name__)


class Hello(Resource):
    def get(self):
        return {"hello": "world"}


Api(app).add_resource(Hello, "/api/hello")


@geppetto_dev.handler("echo")
def echo(conn, data):
    return {"echo": data}
"""


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "geppetto_dev", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "myapp.py").write_text(APP)
    # A second handler for "echo", which myapp already answers.
    (tmp_path / "dupes.py").write_text(
        "import geppetto_dev\n\n\n@geppetto_dev.handler('echo')\ndef echo_again(conn, data):\n"
        "    return None\n"
    )
    make_webapp(tmp_path / "web")
    return tmp_path


@pytest.fixture
def served(project: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    (project / "pyproject.toml").write_text(
        f'[tool.geppetto-dev]\napp = "myapp:app"\nfrontend-dir = "web"\nport = {port}\n'
    )
    served = ServeProcess(project).wait_serving()
    assert served.url == f"http://127.0.0.1:{port}"
    yield served.proc, port
    served.stop(signal.SIGKILL)


def test_serve_from_pyproject_page_static_rest_and_websocket(
    served: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = served
    base = f"http://127.0.0.1:{port}"
    assert b'<base href="/org.geppetto.frontend/"/>' in urllib.request.urlopen(base + "/").read()
    bundle = urllib.request.urlopen(base + "/org.geppetto.frontend/geppetto/build/main.bundle.js")
    assert b"GEPPETTO_BUNDLE" in bundle.read()
    assert json.load(urllib.request.urlopen(base + "/api/hello")) == {"hello": "world"}

    async def scenario() -> dict[str, object]:
        client = await connect(f"ws://127.0.0.1:{port}/org.geppetto.frontend/GeppettoServlet")
        await client.handshake()
        await client.request("echo", {"x": 1}, "e-1")
        reply: dict[str, object] = await client.recv()
        return reply

    reply = run_async(scenario())
    assert reply["requestID"] == "e-1"
    assert json.loads(str(reply["data"])) == {"echo": {"x": 1}}

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_port_in_use_is_one_line(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            cli("serve", "--port", str(port), "--frontend-dir", "web"),
            cwd=project,
            env=env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "already in use" in lines[0] and "--port" in lines[0]


def test_a_module_alone_serves_its_app_as_flask_finds_it(project: Path) -> None:
    served = ServeProcess(project, "--port", "0", "--app", "myapp").wait_serving()
    try:
        with urllib.request.urlopen(served.url + "/api/hello", timeout=10) as response:
            assert json.load(response) == {"hello": "world"}
    finally:
        served.stop()


def test_the_demo_named_in_the_not_a_project_hint_serves(tmp_path: Path) -> None:
    served = ServeProcess(tmp_path, "--port", "0", "--app", "geppetto_dev.example").wait_serving()
    try:
        with urllib.request.urlopen(served.url + "/api/people", timeout=10) as response:
            assert response.status == 200
    finally:
        assert served.stop() == 0


@pytest.mark.parametrize(
    ("args", "needle", "code"),
    [
        (["serve", "--app", "nosuchmodule:app"], "cannot import module 'nosuchmodule'", 1),
        (["serve", "--app", "dupes"], "module 'dupes' has no Flask app", 1),
        (["serve", "--app", "myapp:nothing"], "no attribute 'nothing'", 1),
        (["serve", "--app", "myapp:echo"], "not a Flask app", 1),
        (["serve", "--app", "myapp:app", "--handlers", "dupes"], "already has a handler", 1),
        (["serve", "--port", "eighty"], "--port", 2),
        (["serve", "--bogus"], "--bogus", 2),
        (["frobnicate"], "frobnicate", 2),
    ],
)
def test_bad_arguments_get_one_line_and_no_traceback(
    project: Path, args: list[str], needle: str, code: int
) -> None:
    port = str(free_port())
    full = [*args, "--port", port] if args[0] == "serve" and "--port" not in args else args
    result = subprocess.run(
        cli(*full), cwd=project, env=env(), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == code
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and needle in lines[0]
