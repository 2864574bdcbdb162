"""The demo project geppetto_dev.example serves: drawn, lazily resolved, run from the UI."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from geppetto_dev.projects import demo
from geppetto_dev.projects.project import RunRequest
from tests.projects.conftest import Conversation, inner
from tests.server.conftest import connect, run_async
from tests.simulators.models import spike_times
from tests.simulators.requirements import missing_module, need
from tests.support import REPO


def test_the_example_app_serves_the_demo_project(start_server: Any) -> None:
    from geppetto_dev import example

    server = start_server(flask_app=example.app, served=[example.demo_project])

    async def scenario() -> None:
        client = await connect(server.ws_url)
        await client.handshake()
        talk = Conversation(client)
        replies = await talk.ask("load_project_from_id", {"projectId": "1"}, 4)
        assert inner(replies[0])["project"]["name"] == "demo"
        model = inner(replies[1])
        library = model["libraries"][1]
        kinds = {t["id"]: t["eClass"] for t in library["types"]}
        assert kinds == {
            "morphology": "CompositeVisualType",
            "cell": "CompositeType",
            "pop": "ArrayType",
            "details": "ImportType",
            "network": "CompositeType",
        }
        pop = next(t for t in library["types"] if t["id"] == "pop")
        assert len(pop["defaultValue"]["elements"]) == 3
        (resolved,) = await talk.ask(
            "resolve_import_type", {"projectId": 1, "paths": ["demo.details"]}
        )
        details = inner(resolved)["libraries"][1]["types"][3]
        assert details["eClass"] == "CompositeType" and details["id"] == "details"
        await talk.client.request("run_experiment", {"projectId": 1, "experimentId": 1})
        told = []
        while not told or told[-1] != "COMPLETED":
            await asyncio.sleep(0.05)
            (status,) = await talk.ask("experiment_status", "1")
            told.append(inner(status, "update")[0]["status"])
        assert "RUNNING" in told
        (state,) = await talk.ask("get_experiment_state", {"projectId": 1, "experimentId": 1})
        recorded = inner(state, "update")["recordedVariables"]
        assert [r["pointer"]["path"] for r in recorded] == [
            "time",
            "net.pop[0].v",
            "net.pop[1].v",
            "net.pop[2].v",
        ]
        assert all(len(r["value"]["value"]) == 2000 for r in recorded)

    run_async(scenario())


def test_the_demo_cells_differ_the_first_never_fires() -> None:
    request = RunRequest(1, 1, ("net.pop[0].v", "net.pop[2].v"), {}, 1e-4, 0.2, 1)
    results = demo.simulate(request)
    quiet, busy = results["net.pop[0].v"].value, results["net.pop[2].v"].value
    assert max(quiet) < -50.0
    assert busy.count(20.0) > 5


def test_the_demo_nml_twins_are_identical() -> None:
    """The package's cell and the starter template's are one file (the template is its copy)."""
    template = REPO / "scaffold_templates" / "project" / "{{package}}" / "projects"
    assert (template / "hh_cell.nml-tpl").read_bytes() == demo.HH_CELL.read_bytes()


def _run_experiment_2(server: Any) -> list[dict[str, Any]]:
    """Load the demo, run its NeuroML experiment; what the run ended with."""

    async def scenario() -> list[dict[str, Any]]:
        client = await connect(server.ws_url)
        await client.handshake()
        talk = Conversation(client)
        await talk.ask("load_project_from_id", {"projectId": "1"}, 4)
        await talk.client.request("run_experiment", {"projectId": 1, "experimentId": 2}, "run")
        told: list[dict[str, Any]] = []
        for _ in range(600):
            await asyncio.sleep(0.05)
            (status,) = await talk.ask("experiment_status", "1")
            if status["type"] == "error_running_experiment":
                return [status]
            entry = next(s for s in inner(status, "update") if s["experimentID"] == "2")
            told.append(entry)
            if entry["status"] in ("COMPLETED", "ERROR"):
                break
        (state,) = await talk.ask("get_experiment_state", {"projectId": 1, "experimentId": 2})
        return [*told, state]

    return run_async(scenario())


def test_the_demo_cell_runs_in_neuron(start_server: Any) -> None:
    need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))
    from geppetto_dev import example

    server = start_server(flask_app=example.app, served=[example.demo_project])
    *told, state = _run_experiment_2(server)
    assert told[-1]["status"] == "COMPLETED" and "RUNNING" in [t["status"] for t in told]
    recorded = {
        r["pointer"]["path"]: r["value"] for r in inner(state, "update")["recordedVariables"]
    }
    v = recorded["hhnet.hhpop[0].v"]
    assert v["unit"]["unit"] == "V" and len(v["value"]) == 4001  # 100 ms at 25 us, 0 included
    assert len(spike_times(recorded["time"]["value"], v["value"])) >= 3  # the pulse fires it
    assert -0.066 < v["value"][0] < -0.064  # at rest, in volts


def test_without_neuron_the_demo_cell_says_how_to_install_it(
    start_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # NEURON absent, as Python's import system sees it: no module named neuron.
    monkeypatch.setitem(sys.modules, "neuron", None)
    from geppetto_dev import example

    server = start_server(flask_app=example.app, served=[example.demo_project])

    async def scenario() -> dict[str, Any]:
        client = await connect(server.ws_url)
        await client.handshake()
        talk = Conversation(client)
        await talk.ask("load_project_from_id", {"projectId": "1"}, 4)
        (answer,) = await talk.ask("run_experiment", {"projectId": 1, "experimentId": 2})
        return answer

    answer = run_async(scenario())
    assert answer["type"] == "error_running_experiment"
    detail = inner(answer)
    assert "the simulator 'neuronSimulator' is not installed" in detail["message"]
    assert "pip install 'geppetto-dev[neuron]'" in detail["message"]
