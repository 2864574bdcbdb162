"""The demo project geppetto_dev.example serves: drawn, lazily resolved, run from the UI."""

from __future__ import annotations

import asyncio
from typing import Any

from geppetto_dev.projects import demo
from geppetto_dev.projects.project import RunRequest
from tests.projects.conftest import Conversation, inner
from tests.server.conftest import connect, run_async


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
