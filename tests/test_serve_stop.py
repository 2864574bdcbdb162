"""Ctrl-C on `geppetto-dev serve` while an experiment runs in the local process pool.

A terminal's Ctrl-C is SIGINT to the whole foreground process group: the server, and (plain
serve) its pool's workers and the multiprocessing resource tracker. The server must end the
run itself and exit 0 within a few seconds, printing no BrokenProcessPool, no traceback and no
leaked-semaphore warning, and leave no process behind; the run is then ERROR, not RUNNING.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.projects.conftest import Conversation, inner
from tests.server.conftest import connect
from tests.support import REPO, SERVING, descendants, free_port, pid_alive, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux processes")

NOISE = ("BrokenProcessPool", "leaked semaphore", "Traceback", "KeyboardInterrupt", "Error")


def lab(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.geppetto-dev]\nprojects = "tests.storage.lab_project"\n'
    )
    return tmp_path


def start(project: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    """`serve` in a process group of its own, as a shell starts a foreground job."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev", "serve", "--port", str(port), *args],
        cwd=project,
        env={**env, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if SERVING.search(line):
            return proc, port
    raise AssertionError("serve did not start: " + (proc.stderr.read() if proc.stderr else ""))


async def start_long_run(port: int) -> Conversation:
    """A clone of the lab's experiment that sleeps a minute, running in a pool worker."""
    client = await connect(f"ws://127.0.0.1:{port}/org.geppetto.frontend/GeppettoServlet")
    await client.handshake()
    talk = Conversation(client)
    await talk.ask("load_project_from_id", {"projectId": 5}, 4)
    (clone,) = await talk.ask("clone_experiment", {"projectId": 5, "experimentId": 1})
    run = {"projectId": 5, "experimentId": inner(clone)["id"]}
    await talk.ask("set_parameters", {**run, "modelParameters": {"sleep": 60}})
    await client.request("run_experiment", run)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        (reply,) = await talk.ask("experiment_status", "5")
        states = {s["experimentID"]: s["status"] for s in inner(reply, "update")}
        if states.get(str(run["experimentId"])) == "RUNNING":
            return talk
        await asyncio.sleep(0.1)
    raise AssertionError("the run never started")


async def statuses(port: int) -> dict[str, str]:
    client = await connect(f"ws://127.0.0.1:{port}/org.geppetto.frontend/GeppettoServlet")
    await client.handshake()
    talk = Conversation(client)
    await talk.ask("load_project_from_id", {"projectId": 5}, 4)
    (reply,) = await talk.ask("experiment_status", "5")
    return {s["experimentID"]: s["status"] for s in inner(reply, "update")}


@pytest.mark.parametrize("mode", [[], ["--reload"]], ids=["plain", "reload"])
def test_ctrl_c_with_a_run_in_progress_is_quiet_and_leaves_nothing(
    tmp_path: Path, mode: list[str]
) -> None:
    project = lab(tmp_path)
    proc, port = start(project, *mode)
    try:
        asyncio.run(start_long_run(port))
        family = descendants(proc.pid)
        assert any("multiprocessing" in _cmdline(pid) for pid in family), "no pool worker"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, err
    assert not [word for word in NOISE if word in out + err], out + err
    wait_until(lambda: not any(pid_alive(p) for p in family), 10, "no process left")

    # The stopped run is ERROR for the next server, not RUNNING forever.
    again, port = start(project)
    try:
        assert asyncio.run(statuses(port)) == {"1": "DESIGN", "2": "ERROR"}
    finally:
        os.killpg(again.pid, signal.SIGTERM)
        again.communicate(timeout=20)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
