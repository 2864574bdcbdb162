"""Real `geppetto-dev serve` processes on one database, as users run them: experiments edited
through one are seen by the other, a run started on one (executed by a real Dask cluster)
completes and plays on the other, and a server killed with SIGKILL mid-run leaves no run
RUNNING once it is started again."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fixtures.dask_cluster import dask_cluster
from tests.fixtures.databases import fresh_database
from tests.projects.conftest import Conversation, inner
from tests.server.conftest import connect, run_async

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@contextmanager
def serving(project: Path, **env: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev", "serve", "--port", str(port)],
        cwd=project,
        env={**clean, **env, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its process pool goes with it when the test kills the group
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline(), proc.stdout.readline()]
    assert "Serving Geppetto on" in lines[0], lines
    assert lines[1].startswith("Experiments: stored in"), lines
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


async def talk(port: int) -> Conversation:
    client = await connect(f"ws://127.0.0.1:{port}/org.geppetto.frontend/GeppettoServlet")
    await client.handshake()
    conversation = Conversation(client)
    await conversation.ask("load_project_from_id", {"projectId": 5}, 4)
    return conversation


async def statuses(conversation: Conversation) -> dict[str, str]:
    (reply,) = await conversation.ask("experiment_status", "5")
    return {s["experimentID"]: s["status"] for s in inner(reply, "update")}


async def until(conversation: Conversation, experiment: str, wanted: str) -> None:
    deadline = time.monotonic() + 90
    seen: dict[str, str] = {}
    while time.monotonic() < deadline:
        seen = await statuses(conversation)
        if seen.get(experiment) == wanted:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"experiment {experiment} never {wanted}: {seen}")


def test_two_servers_one_database_a_cluster_and_a_sigkill(
    tmp_path: Path, database_url: str
) -> None:
    project = tmp_path / "lab"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        f'[tool.geppetto-dev]\nprojects = "tests.storage.lab_project"\n'
        f'database-url = "{database_url}"\n'
    )
    with dask_cluster(workers=2) as cluster:
        workers = cluster.worker_pids()
        on_cluster = {"GEPPETTO_DEV_EXPERIMENT_CLUSTER": cluster.address}
        with serving(project, **on_cluster) as (a, port_a), serving(project) as (b, port_b):

            async def edit_and_run() -> None:
                one, two = await talk(port_a), await talk(port_b)
                (created,) = await one.ask("new_experiment", {"projectId": 5})
                assert created["type"] == "experiment_created"
                new_id = inner(created)["id"]
                assert new_id == 2
                props = {"name": "Renamed", "description": "d", "timeStep": 0.001}
                ask = {"projectId": 5, "experimentId": new_id, "properties": props}
                (saved,) = await two.ask("save_experiment_properties", ask)
                assert saved["type"] == "experiment_props_saved"
                assert inner(saved, "update")["name"] == "Renamed"
                # A run started on A (which sends it to the cluster) completes, seen on B.
                await one.client.request("run_experiment", {"projectId": 5, "experimentId": 1})
                await until(two, "1", "COMPLETED")
                (state,) = await two.ask(
                    "get_experiment_state", {"projectId": 5, "experimentId": 1}
                )
                values = [
                    v["value"]["value"]
                    for v in inner(state, "update")["recordedVariables"]
                    if "value" in v
                ]
                pid = int(values[-1][0])
                assert pid in workers and pid not in (a.pid, b.pid)
                (deleted,) = await two.ask(
                    "delete_experiment", {"projectId": 5, "experimentId": new_id}
                )
                assert inner(deleted, "update") == {"id": 2, "name": "Renamed"}
                assert set(await statuses(one)) == {"1"}
                # A clone (parameters are set in DESIGN, as in Java) runs long on B, B is killed.
                (clone,) = await two.ask("clone_experiment", {"projectId": 5, "experimentId": 1})
                assert inner(clone)["id"] == 3 and inner(clone)["status"] == "DESIGN"
                long = {"projectId": 5, "experimentId": 3, "modelParameters": {"sleep": 60}}
                (reply,) = await two.ask("set_parameters", long)
                assert reply["type"] == "update_model_tree", reply
                await two.client.request("run_experiment", {"projectId": 5, "experimentId": 3})
                await until(two, "3", "RUNNING")

            run_async(edit_and_run())
            os.killpg(b.pid, signal.SIGKILL)
            b.wait()

        # Both stopped (A cleanly, B killed): a new server finds nothing RUNNING, the rename and
        # the deletion kept, and the interrupted run an ERROR the user can see.
        with serving(project) as (_c, port_c):

            async def after_restart() -> None:
                three = await talk(port_c)
                assert await statuses(three) == {"1": "COMPLETED", "3": "ERROR"}
                (state,) = await three.ask(
                    "get_experiment_state", {"projectId": 5, "experimentId": 1}
                )
                assert state["type"] == "get_experiment_state"  # plays without running again

            run_async(after_restart())
