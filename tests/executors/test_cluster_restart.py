"""A server restarted against a Dask cluster takes over the runs it had in flight there: a real
scheduler and workers, two applications one after the other on one SQLite database."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from geppetto_dev import model as gm
from geppetto_dev.application import GeppettoApp, TestClient
from geppetto_dev.config import Settings
from geppetto_dev.projects import Experiment, Project, project
from geppetto_dev.simulators import SimulatorRegistry
from tests.fixtures.dask_cluster import DaskCluster
from tests.simulators.simulators import Counting

PROJECT_ID = 41
RUN = {"projectId": PROJECT_ID, "experimentId": 1}


def build() -> gm.GeppettoModel:
    model = gm.GeppettoModel("slow", name="Slow")
    model.add_variable(gm.state_variable("v"))
    return model


def slow_project() -> Project:
    # Counting sleeps for its `sleep` parameter, then returns its series and process id.
    return project(
        id=PROJECT_ID,
        name="slow",
        model_file="slow.nml",
        experiments=[
            Experiment(1, "Slow", simulator_id="counting", parameters={"sleep": 4.0}, length=1e-3)
        ],
    )(build)


def app(tmp: Path, cluster: DaskCluster) -> GeppettoApp:
    settings = Settings(
        project_dir=tmp,
        database_url=f"sqlite:///{tmp}/db.sqlite3",
        experiment_cluster=cluster.address,
    )
    return GeppettoApp(
        settings, projects=[slow_project()], simulators=SimulatorRegistry([Counting()])
    )


def status(client: TestClient) -> str:
    (reply,) = client.ask("experiment_status", str(PROJECT_ID))
    (only,) = json.loads(reply["data"]["update"])
    return str(only["status"])


def wait_for(client: TestClient, wanted: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (now := status(client)) != wanted:
        assert now in ("QUEUED", "RUNNING"), f"the run ended {now}"
        assert time.monotonic() < deadline, f"still {now}"
        time.sleep(0.1)


def test_a_restarted_server_takes_over_its_runs_on_the_cluster(
    tmp_path: Path, cluster: DaskCluster
) -> None:
    first = app(tmp_path, cluster)
    with first, first.test_client() as client:
        client.ask("load_project_from_id", {"projectId": PROJECT_ID})
        assert client.ask("run_experiment", RUN) == []
        wait_for(client, "RUNNING")
    # The first server has stopped (as a restart stops it); its run goes on on the cluster.
    second = app(tmp_path, cluster)
    with second, second.test_client() as client:
        assert "1 run(s) of a stopped server taken over" in second.services.summary
        client.ask("load_project_from_id", {"projectId": PROJECT_ID})
        wait_for(client, "COMPLETED")
        (state,) = client.ask("get_experiment_state", RUN)
        recorded: dict[str, Any] = {
            r["pointer"]["path"]: r["value"]["value"]
            for r in json.loads(state["data"]["update"])["recordedVariables"]
        }
        # The run the first server started, completed: 1 ms at the default 10 us step.
        assert len(recorded["time"]) == 101


def test_without_a_cluster_a_stopped_servers_run_is_marked_error(tmp_path: Path) -> None:
    settings = Settings(project_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/db.sqlite3")
    first = GeppettoApp(
        settings, projects=[slow_project()], simulators=SimulatorRegistry([Counting()])
    )
    with first, first.test_client() as client:
        client.ask("load_project_from_id", {"projectId": PROJECT_ID})
        client.ask("run_experiment", RUN)
        wait_for(client, "RUNNING")
    second = GeppettoApp(
        settings, projects=[slow_project()], simulators=SimulatorRegistry([Counting()])
    )
    with second, second.test_client() as client:
        client.ask("load_project_from_id", {"projectId": PROJECT_ID})
        assert status(client) == "ERROR"
