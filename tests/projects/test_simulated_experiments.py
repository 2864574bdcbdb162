"""Experiments run by the simulator their simulatorId names, on the project's model file, held
in-process with a real application (its database, a real thread pool)."""

from __future__ import annotations

import time
import types
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev import model as gm
from geppetto_dev.application import GeppettoApp, TestClient
from geppetto_dev.application.simulators import app_simulators
from geppetto_dev.config import Settings
from geppetto_dev.projects import Experiment, Project, RunRequest, project
from geppetto_dev.simulators import SimulatorRegistry
from tests.simulators.simulators import Counting, Missing

PROJECT_ID = 31


def build() -> gm.GeppettoModel:
    model = gm.GeppettoModel("cell", name="Cell")
    model.add_variable(gm.state_variable("v"))
    return model


def build_other() -> gm.GeppettoModel:
    return build()


def python_run(request: RunRequest) -> dict[str, Any]:
    return {"v": [1.0, 2.0]}


def cell_project() -> Project:
    """A model file, a run hook, and experiments naming simulators or none."""
    item = project(
        id=PROJECT_ID,
        name="cell",
        model_file="models/cell.nml",
        experiments=[
            Experiment(1, "Counted", simulator_id="counting", timestep=1e-4, length=1e-3),
            Experiment(2, "Plain Python", watched=["v"]),
            Experiment(3, "Not installed", simulator_id="missing"),
        ],
    )(build)
    item.run(python_run)
    return item


def file_only_project() -> Project:
    """A model file and no run hook: every experiment needs a simulator."""
    return project(
        id=PROJECT_ID + 1,
        name="file-only",
        model_file="models/cell.nml",
        experiments=[Experiment(1, "Unknown", simulator_id="nestSimulator")],
    )(build_other)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(project_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/db.sqlite3")
    simulators = SimulatorRegistry([Counting(), Missing()])
    app = GeppettoApp(
        settings,
        projects=[cell_project(), file_only_project()],
        executor=ThreadPoolExecutor(2),
        simulators=simulators,
    )
    with app, app.test_client() as client:
        client.ask("load_project_from_id", {"projectId": PROJECT_ID})
        yield client


def run(client: TestClient, experiment_id: int) -> list[Any]:
    return client.ask("run_experiment", {"projectId": PROJECT_ID, "experimentId": experiment_id})


def status(client: TestClient, experiment_id: int) -> str:
    (reply,) = client.ask("experiment_status", str(PROJECT_ID))
    found = {int(s["experimentID"]): s["status"] for s in _update(reply)}
    return found[experiment_id]


def _update(reply: dict[str, Any]) -> Any:
    import json

    data = reply["data"]
    return json.loads(data["update"]) if isinstance(data["update"], str) else data["update"]


def completed(client: TestClient, experiment_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while status(client, experiment_id) != "COMPLETED":
        assert time.monotonic() < deadline, "the run never completed"
        time.sleep(0.05)
    (state,) = client.ask(
        "get_experiment_state", {"projectId": PROJECT_ID, "experimentId": experiment_id}
    )
    return _update(state)  # type: ignore[no-any-return]


def test_the_simulator_the_experiment_names_runs_the_model_file(
    client: TestClient, tmp_path: Path
) -> None:
    assert run(client, 1) == []
    state = completed(client, 1)
    recorded = {r["pointer"]["path"]: r["value"]["value"] for r in state["recordedVariables"]}
    assert len(recorded["time"]) == 11  # Counting's series: the experiment's step and length


def test_an_experiment_naming_no_simulator_goes_to_the_run_hook(client: TestClient) -> None:
    assert run(client, 2) == []
    state = completed(client, 2)
    values = {r["pointer"]["path"]: r.get("value") for r in state["recordedVariables"]}
    assert values["v"]["value"] == [1.0, 2.0]


def test_a_simulator_that_is_not_installed_says_what_to_install(client: TestClient) -> None:
    (reply,) = run(client, 3)
    assert reply["type"] == "error_running_experiment"
    detail = reply["data"]["error_running_experiment"]
    assert "the simulator 'missing' is not installed" in detail
    assert "pip install missing-simulator" in detail
    assert status(client, 3) == "ERROR"


def test_an_unknown_simulator_names_the_known_ones(client: TestClient) -> None:
    other = {"projectId": PROJECT_ID + 1, "experimentId": 1}
    client.ask("load_project_from_id", {"projectId": PROJECT_ID + 1})
    (reply,) = client.ask("run_experiment", other)
    assert reply["type"] == "error_running_experiment"
    detail = reply["data"]["error_running_experiment"]
    assert "no simulator with id 'nestSimulator' (known: counting, missing)" in detail


def test_a_project_registers_its_simulators_in_a_module() -> None:
    module = types.ModuleType("lab.projects.sims")
    module.simulators = SimulatorRegistry([Counting()])  # type: ignore[attr-defined]
    registry = app_simulators([module])
    assert {"counting", "neuronSimulator", "jneuromlSimulator", "jLemsSimulator"} <= set(registry)
