"""Generated pieces on a real `geppetto-dev serve`: plain, and live right after the command
under `serve --reload`. Also: the generated project passes its own tests, ruff and mypy."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.websocket import websocket_connect

from tests.support import ServeProcess, start_serve, wait_until

from .conftest import PACKAGE, CliResult, run_module, subprocess_env

Cli = Callable[..., CliResult]
PIECES = (("websocket", "get_cells"), ("rest", "cell_types"), ("blueprint", "reports"))
WS_PATH = "/org.geppetto.frontend/GeppettoServlet"


def status(url: str, body: Any = None) -> int:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def ask(port: int, kind: str, request_id: str) -> dict[str, Any]:
    """One request over a real WebSocket; the first reply that is not part of the handshake."""

    async def exchange() -> dict[str, Any]:
        conn = await websocket_connect(f"ws://127.0.0.1:{port}{WS_PATH}")
        try:
            frame = {"requestID": request_id, "type": kind, "data": json.dumps({"n": 1})}
            await conn.write_message(json.dumps(frame))
            while True:
                raw = await asyncio.wait_for(conn.read_message(), timeout=10)
                assert isinstance(raw, str), raw
                message: dict[str, Any] = json.loads(raw)
                if message["type"] not in ("client_id", "user_privileges"):
                    return message
        finally:
            conn.close()

    return asyncio.run(exchange())


def answers(url: str) -> bool:
    try:
        return status(url) == 200
    except OSError:
        return False


@pytest.fixture
def serve(project: Path) -> Iterator[Callable[..., int]]:
    """Start `geppetto-dev serve ARGS` in the project from this checkout; returns the port."""
    started: list[ServeProcess] = []

    def start(*args: str) -> int:
        served = start_serve(project, *args, base_env=subprocess_env())
        started.append(served)
        return served.port

    yield start
    for served in started:
        served.stop()


def check_pieces_answer(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    reply = ask(port, "get_cells", "req-7")
    assert reply["type"] == "get_cells"
    assert reply["requestID"] == "req-7"
    assert json.loads(reply["data"])["get_cells"]["received"] == {"n": 1}
    assert status(base + "/api/cell_types") == 200
    assert status(base + "/api/cell_types", {"name": "pyramidal"}) == 201
    assert status(base + "/api/cell_types", {"nope": 1}) == 400
    assert status(base + "/reports") == 200


def test_generated_pieces_answer_on_a_real_server(project: Path, cli: Cli, serve: Any) -> None:
    for kind, name in PIECES:
        assert cli("new-handler", kind, name)[0] == 0
    port = serve()
    check_pieces_answer(port)
    base = f"http://127.0.0.1:{port}"
    assert status(base + "/") == 200  # the Geppetto page (here: the not-built page)
    assert ask(port, "hello", "h-1")["requestID"] == "h-1"  # the starter's example handler


def test_pieces_are_live_right_after_the_command_under_reload(
    project: Path, cli: Cli, serve: Any
) -> None:
    port = serve("--reload")
    base = f"http://127.0.0.1:{port}"
    assert status(base + "/reports") == 404
    for kind, name in PIECES:
        assert cli("new-handler", kind, name)[0] == 0
    wait_until(
        lambda: answers(base + "/reports") and answers(base + "/api/cell_types"), what="reload"
    )
    wait_until(lambda: ask(port, "get_cells", "r-1")["type"] == "get_cells", what="the new handler")
    check_pieces_answer(port)


def test_generated_project_passes_its_tests_ruff_and_mypy(project: Path, cli: Cli) -> None:
    # "any" and "class_var" would make classes named like what the template imports.
    for kind, name in (*PIECES, ("rest", "any"), ("rest", "class_var"), ("websocket", "any")):
        assert cli("new-handler", kind, name)[0] == 0
    tests = run_module(["pytest", "-q", "-p", "no:cacheprovider"], cwd=project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "passed" in tests.stdout and "failed" not in tests.stdout
    for test in ("test_ws_get_cells.py", "test_api_cell_types.py", "test_bp_reports.py"):
        assert (project / "tests" / test).is_file()
    lint = run_module(["ruff", "check", "--no-cache", "."], cwd=project)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run_module(["ruff", "format", "--check", "--no-cache", "."], cwd=project)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    types = run_module(
        ["mypy", "--cache-dir", str(project.parent / "mypy-cache"), "-p", PACKAGE], cwd=project
    )
    assert types.returncode == 0, types.stdout + types.stderr
