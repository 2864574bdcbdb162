"""A run that fails, against a real `geppetto-dev serve` whose runs go to its real local process
pool: the server's log has the user's traceback; the client's error dialog gets it only on this
machine, in development mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.protocol import read_frame
from tests.server.rawws import CLOSE, PING, TEXT, RawWebSocket
from tests.support import ServeProcess, start_serve

PYPROJECT = """\
[project]
name = "failing-runs"
version = "0.1.0"

[tool.geppetto-dev]
projects = "failing"
"""

PROJECT = """\
from geppetto_dev import model as gm
from geppetto_dev.projects import Experiment, project


@project(id=7, name="failing", experiments=[Experiment(1, "Diverges", watched=["v"])])
def failing():
    model = gm.GeppettoModel("failing", name="Failing")
    model.add_variable(gm.state_variable("v"))
    return model


@failing.run
def run(request):
    return integrate(request.length)


def integrate(length):
    raise FloatingPointError(f"the integration diverged after {length} s")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "failing.py").write_text(PROJECT)
    return tmp_path


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[ServeProcess] = []

    def start(project: Path, *args: str) -> ServeProcess:
        served = start_serve(project, *args)
        started.append(served)
        served.wait_output("Experiments: stored in")
        return served

    yield start
    for served in started:
        served.stop()


def next_message(ws: RawWebSocket, kind: str) -> dict[str, Any]:
    """Read until a message of `kind` (anything else the server pushes is skipped)."""
    for _ in range(50):
        frame = ws.recv()
        assert frame.opcode != CLOSE, "the server closed the connection"
        if frame.opcode == PING:
            continue
        message = read_frame(frame.payload.decode() if frame.opcode == TEXT else frame.payload)
        if isinstance(message, dict) and message.get("type") == kind:
            return message
    raise AssertionError(f"no {kind} message")


def failed_run(served: ServeProcess, host: str) -> dict[str, Any]:
    """Load the project, run its experiment as the Geppetto client does; the error it gets."""
    ws = RawWebSocket(served.port, "/org.geppetto.frontend/GeppettoServlet", host=host)
    assert ws.status == 101
    try:
        load = {"projectId": 7, "experimentId": 1}
        request = {"requestID": "r-1", "type": "load_project_from_id", "data": json.dumps(load)}
        ws.send_text(json.dumps(request))
        next_message(ws, "project_loaded")
        run = {"requestID": "r-2", "type": "run_experiment", "data": json.dumps(load)}
        ws.send_text(json.dumps(run))
        failure = next_message(ws, "error_running_experiment")
    finally:
        ws.close()
    detail: dict[str, Any] = json.loads(json.loads(failure["data"])["error_running_experiment"])
    return detail


def test_the_log_has_the_traceback_and_a_local_dev_client_sees_it(
    project: Path, serve: Any
) -> None:
    served = serve(project, "--dev", "--no-inspector")
    detail = failed_run(served, f"127.0.0.1:{served.port}")
    assert "diverged after" in detail["message"]
    dialog = detail["exception"]  # what the client's error dialog shows
    assert 'failing.py", line 14, in run' in dialog and 'failing.py", line 18' in dialog
    assert "FloatingPointError: the integration diverged" in dialog
    assert "concurrent/futures" not in dialog and "geppetto_dev" not in dialog

    served.wait_output("experiment 1 of project 7 failed:")
    log = served.text().split("experiment 1 of project 7 failed:", 1)[1]
    assert 'failing.py", line 18, in integrate' in log
    assert "FloatingPointError: the integration diverged after" in log


def test_a_client_of_another_host_never_gets_the_traceback(project: Path, serve: Any) -> None:
    # Bound to every interface, in dev mode: a browser on the network asks for the server by
    # the machine's address (any address is a valid host name with a wildcard bind).
    served = serve(project, "--dev", "--no-inspector", "--host", "0.0.0.0", "--trust-network")
    detail = failed_run(served, f"192.0.2.10:{served.port}")
    assert "diverged after" in detail["message"]
    assert detail["exception"] == "FloatingPointError"
    served.wait_output("experiment 1 of project 7 failed:")  # the log has it all the same
    assert 'failing.py", line 18, in integrate' in served.text()


def test_without_dev_mode_even_this_machine_gets_no_traceback(project: Path, serve: Any) -> None:
    served = serve(project, "--no-inspector")
    detail = failed_run(served, f"127.0.0.1:{served.port}")
    assert detail["exception"] == "FloatingPointError"
