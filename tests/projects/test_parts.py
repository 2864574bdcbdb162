"""Registry lookups, project JSON, per-connection status, the /projects route, pygeppetto."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from flask import Flask

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.projects import Project, ProjectRegistry
from geppetto_dev.projects.connection import ConnectionState
from geppetto_dev.projects.project import url_name
from geppetto_dev.projects.project_json import experiment_json, parse_project, project_json
from geppetto_dev.projects.records import ExperimentRecord, MemoryExperimentStore
from tests.projects.conftest import TINY_ID, Conversation, build_tiny, inner
from tests.server.conftest import connect, run_async


def build_other() -> Any:
    return build_tiny()


def test_lookup_by_id_name_and_url() -> None:
    registry = ProjectRegistry()
    item = registry.add(Project(id=3, name="demo", build=build_tiny))
    assert registry.by_id(3) is registry.by_id("3") is registry.by_id(3.0) is item
    assert registry.by_id("x") is None and registry.by_id(True) is None
    for url in ("demo", "demo.json", "/projects/demo.json", "https://h/p/demo.json?a=1#f", "3"):
        assert registry.by_url(url) is item, url
    assert registry.by_url("other.json") is None
    assert url_name("https://h/a/b%20c.json") == "b c"


def test_a_clash_is_a_one_line_error_unless_the_same_function_again() -> None:
    registry = ProjectRegistry()
    registry.add(Project(id=3, name="demo", build=build_tiny))
    registry.add(Project(id=3, name="demo", build=build_tiny))  # a module imported twice
    with pytest.raises(GeppettoDevError, match="clashes") as raised:
        registry.add(Project(id=3, name="other", build=build_other))
    assert "\n" not in str(raised.value)
    with pytest.raises(GeppettoDevError):
        registry.add(Project(id=4, name="demo", build=build_other))
    with pytest.raises(GeppettoDevError, match="id"):
        Project(id=-1, name="x", build=build_tiny)


def test_project_json_is_camel_case_as_gson_writes_it_and_parses_back() -> None:
    record = ExperimentRecord(
        id=2, name="e", watched=("a.v",), parameters=(("a.g", 0.5),), view='{"x": 1}'
    )
    out = project_json(1, "p", [record], model_url="p")
    assert set(out) == {
        "id",
        "name",
        "activeExperimentId",
        "isPublic",
        "geppettoModel",
        "experiments",
    }
    experiment = experiment_json(record)
    assert "script" not in experiment  # Gson leaves nulls out
    assert experiment["view"] == {"id": 2, "viewStates": '{"x": 1}'}
    assert experiment["aspectConfigurations"][0]["modelParameters"] == [
        {"id": 1, "variable": "a.g", "value": 0.5}
    ]
    spec = parse_project(json.dumps(out))
    assert spec.name == "p" and spec.model_url == "p" and spec.active_experiment_id == 2
    (back,) = spec.experiments
    assert (back.watched, back.parameters, back.view) == (("a.v",), (("a.g", 0.5),), '{"x": 1}')
    with pytest.raises(ValueError):
        parse_project('{"experiments": [{"id": 1}]}')


def test_each_connection_is_told_running_before_the_outcome() -> None:
    state = ConnectionState()
    state.reported[(5, 1)] = ("DESIGN", 0)  # what project_loaded told it
    done = ExperimentRecord(id=1, name="e", status="COMPLETED", run=1)
    assert [state.report(5, done) for _ in range(3)] == ["RUNNING", "COMPLETED", "COMPLETED"]
    again = ExperimentRecord(id=1, name="e", status="COMPLETED", run=2)
    assert [state.report(5, again) for _ in range(2)] == ["RUNNING", "COMPLETED"]
    queued = ExperimentRecord(id=1, name="e", status="QUEUED", run=3)
    assert state.report(5, queued) == "QUEUED"
    failed = ExperimentRecord(id=1, name="e", status="ERROR", run=3)
    assert [state.report(5, failed) for _ in range(2)] == ["RUNNING", "ERROR"]


def test_store_updates_only_in_the_expected_status() -> None:
    store = MemoryExperimentStore()
    store.seed(1, [ExperimentRecord(id=1, name="e", status="COMPLETED")])
    assert store.update(1, 1, if_status="QUEUED", status="RUNNING").status == "COMPLETED"
    assert store.update(1, 1, status="DESIGN").status == "DESIGN"
    with pytest.raises(KeyError):
        store.update(1, 2, status="DESIGN")


def test_the_projects_route_lists_projects_unless_the_app_has_one(
    start_server: Any, tiny: Project
) -> None:
    server = start_server()
    for path in ("/projects", "/org.geppetto.frontend/projects"):
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("application/json")
            listed = json.load(response)
        mine = next(p for p in listed if p["id"] == TINY_ID)
        assert mine["name"] == "tiny" and mine["experiments"][0]["status"]
    own = Flask("own")

    @own.route("/projects")
    def projects() -> str:
        return "the app's own"

    server = start_server(flask_app=own)
    with urllib.request.urlopen(server.url + "/projects", timeout=10) as response:
        assert response.read() == b"the app's own"


def test_a_pygeppetto_model_is_served_with_a_copy_per_connection(start_server: Any) -> None:
    pytest.importorskip("pygeppetto")
    from pygeppetto.model.model_factory import GeppettoModelFactory

    from geppetto_dev.projects import project

    built: list[Any] = []

    def build() -> Any:
        model = GeppettoModelFactory.createGeppettoModel("pg")
        factory = GeppettoModelFactory(model.libraries[0])
        model.variables.append(factory.create_state_variable("v"))
        built.append(model)
        return model

    from geppetto_dev.projects import Experiment

    item = project(id=93, name="pg", experiments=[Experiment(1, "e", watched=["v"])])(build)
    server = start_server(served=[item])

    async def scenario() -> list[list[dict[str, Any]]]:
        got = []
        for _ in range(2):
            client = await connect(server.ws_url)
            await client.handshake()
            got.append(await Conversation(client).ask("load_project_from_id", {"projectId": 93}, 4))
        return got

    first, second = run_async(scenario())
    for replies in (first, second):
        assert [m["type"] for m in replies][1] == "geppetto_model_loaded"
        model = inner(replies[1])
        assert [v["id"] for v in model["variables"]] == ["v", "time"]  # whole, not placeholders
        paths = [r["pointer"]["path"] for r in inner(replies[3])["recordedVariables"]]
        assert paths == ["time", "v"]
    assert len(built) == 2  # one model per connection
