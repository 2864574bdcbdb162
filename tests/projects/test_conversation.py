"""The whole project conversation over a real WebSocket against a real server, in the message
shapes the 0.3.8 client parses (MessageHandler.js, ProjectFactory.js, ExperimentsController)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from flask import Flask

from geppetto_dev.interpreters import RemoteFetcher, default_interpreters
from geppetto_dev.projects import Project
from geppetto_dev.protocol import Registry, Reply
from tests.projects.conftest import RUN_GATE, TINY_ID, Conversation, build_tiny, inner
from tests.server.conftest import connect, run_async


async def opened(server: Any) -> Conversation:
    client = await connect(server.ws_url)
    await client.handshake()
    return Conversation(client)


def refs_resolve(model: dict[str, Any], ref: str) -> Any:
    """The clients' resolve(): split "//@libraries.1/@types.2/@variables.0" and walk it."""
    node: Any = model
    for part in ref.removeprefix("//").split("/"):
        key, index = part.removeprefix("@").split(".")
        node = node[key][int(index)]
    return node


def test_a_whole_session(start_server: Any, tiny: Project) -> None:
    server = start_server()

    async def scenario() -> None:
        talk = await opened(server)
        # Load: four replies, in the Java order, every one with the request's requestID.
        replies = await talk.ask("load_project_from_id", {"projectId": str(TINY_ID)}, 4)
        assert [(m["type"], m["requestID"]) for m in replies] == [
            ("project_loaded", "c-1"),
            ("geppetto_model_loaded", "c-1"),
            ("experiment_loading", "c-1"),
            ("experiment_loaded", "c-1"),
        ]
        loaded = inner(replies[0])
        assert loaded["persisted"] is True
        project = loaded["project"]
        assert project["id"] == TINY_ID and project["name"] == "tiny"
        assert project["activeExperimentId"] == 1 and project["isPublic"] is False
        experiment = project["experiments"][0]
        assert set(experiment) >= {"id", "name", "status", "lastModified", "aspectConfigurations"}
        assert experiment["status"] == "DESIGN"
        aspect = experiment["aspectConfigurations"][0]
        assert aspect["watchedVariables"] == ["pop[0].v", "pop(pop)[1].v(StateVariable)"]
        assert set(aspect["simulatorConfiguration"]) >= {"simulatorId", "timestep", "length"}

        model = inner(replies[1])
        assert model["eClass"] == "GeppettoModel"
        assert [v["id"] for v in model["variables"]] == ["pop", "extra", "time"]
        lazy_ref = model["variables"][1]["types"][0]["$ref"]
        assert refs_resolve(model, lazy_ref)["eClass"] == "ImportType"

        state = inner(replies[3])
        assert state["eClass"] == "ExperimentState" and state["experimentId"] == 1
        paths = [r["pointer"]["path"] for r in state["recordedVariables"]]
        assert paths == ["time", "pop[0].v", "pop[1].v"]
        assert all("value" not in r for r in state["recordedVariables"])  # nothing run yet
        for recorded in state["recordedVariables"]:
            for element in recorded["pointer"]["elements"]:
                assert refs_resolve(model, element["variable"]["$ref"])["eClass"] == "Variable"

        # The client may ask for the project list's outputs on its own: no dialog.
        (outputs,) = await talk.ask("get_supported_outputs", {"projectId": TINY_ID})
        assert inner(outputs) == ["JSON"]

        # Resolve the ImportType: replaced in place (same index), the rest placeholders.
        (resolved,) = await talk.ask(
            "resolve_import_type", {"projectId": TINY_ID, "paths": ["tiny.lazy"]}
        )
        assert resolved["type"] == "import_type_resolved" and resolved["requestID"] == "c-3"
        delta = inner(resolved)
        library = delta["libraries"][1]
        assert [t.get("synched") for t in library["types"][:3]] == [True, True, True]
        swapped = library["types"][3]
        assert swapped["eClass"] == "CompositeType" and swapped["id"] == "lazy"
        assert delta["libraries"][0] == {"synched": True}

        # Resolve a value and fetch a variable: deltas of what changed.
        (value,) = await talk.ask(
            "resolve_import_value",
            {"projectId": TINY_ID, "experimentId": 1, "path": "pop[0].lazy_v"},
        )
        assert value["type"] == "import_value_resolved"
        assert "1.0,2.0,3.0" in value["payload"]["import_value_resolved"]
        (fetched,) = await talk.ask(
            "fetch_variable", {"projectId": TINY_ID, "variableId": "VFB_1", "dataSourceId": "ds"}
        )
        assert fetched["type"] == "variable_fetched"
        fetched_model = inner(fetched)
        assert fetched_model["variables"][-1]["id"] == "VFB_1"
        assert fetched_model["variables"][0] == {"synched": True}

        # Watch one more variable, with the client's type annotations.
        (watched,) = await talk.ask(
            "set_watched_variables",
            {
                "projectId": TINY_ID,
                "experimentId": 1,
                "variables": ["pop(pop)[1].lazy_v(StateVariable)"],
                "watch": True,
            },
        )
        assert inner(watched) == ["pop[0].v", "pop[1].v", "pop[1].lazy_v"]

        # Run: no reply; polls say RUNNING before COMPLETED, then results are there.
        RUN_GATE.clear()
        await talk.client.request("run_experiment", {"projectId": TINY_ID, "experimentId": 1})
        # Requests are handled concurrently: a poll may be answered before the run is queued.
        polled = [[{"status": "DESIGN"}]]
        while polled[-1][0]["status"] == "DESIGN":
            (status,) = await talk.ask("experiment_status", str(TINY_ID))
            polled = [inner(status, "update")]
        RUN_GATE.set()
        while polled[-1][0]["status"] != "COMPLETED":
            await asyncio.sleep(0.05)
            (status,) = await talk.ask("experiment_status", str(TINY_ID))
            polled.append(inner(status, "update"))
        seen = [p[0]["status"] for p in polled]
        assert seen[0] in ("QUEUED", "RUNNING") and "RUNNING" in seen
        assert polled[-1][0] == {
            "projectID": str(TINY_ID),
            "experimentID": "1",
            "status": "COMPLETED",
        }

        (state_reply,) = await talk.ask(
            "get_experiment_state", {"projectId": TINY_ID, "experimentId": 1}
        )
        state = inner(state_reply, "update")
        values = {r["pointer"]["path"]: r.get("value") for r in state["recordedVariables"]}
        assert values["pop[0].v"]["value"] == [-65.0, -64.0, -63.0, -62.0, -61.0]
        assert values["pop[0].v"]["unit"]["unit"] == "mV"
        assert len(values["time"]["value"]) == 5

        # Loading the experiment again carries the values.
        loading, loaded_exp = await talk.ask(
            "load_experiment", {"projectId": TINY_ID, "experimentId": 1}, 2
        )
        assert (loading["type"], loaded_exp["type"]) == ("experiment_loading", "experiment_loaded")
        assert all("value" in r for r in inner(loaded_exp)["recordedVariables"])

        # Download: the file frame, then download_model {"update": ""}.
        await talk.client.request(
            "download_model",
            {"projectId": TINY_ID, "experimentId": 1, "instancePath": "pop", "format": "JSON"},
            "d-1",
        )
        name, content = await talk.recv()
        assert name == "tiny.json" and json.loads(content)["id"] == "tiny"
        done = await talk.recv()
        assert done["type"] == "download_model" and done["payload"] == {"update": ""}
        (bad,) = await talk.ask(
            "download_model",
            {"projectId": TINY_ID, "experimentId": 1, "instancePath": "pop", "format": "NEUROML"},
        )
        assert bad["type"] == "error_downloading_model" and "JSON" in bad["payload"]["message"]

        # The client sends these on its own: never an answer that opens a dialog.
        await talk.client.request(
            "set_experiment_view", {"projectId": TINY_ID, "experimentId": 1, "view": "{}"}
        )
        await talk.client.request("reconnect", {"connectionID": "x"})
        (version,) = await talk.ask("geppetto_version", None)
        assert version["type"] == "geppetto_version"  # nothing came in between

    run_async(scenario())


def test_a_failed_run_is_error_and_reported_running_first(start_server: Any, tiny: Project) -> None:
    server = start_server()

    async def scenario() -> None:
        talk = await opened(server)
        await talk.ask("load_project_from_id", {"projectId": TINY_ID, "experimentId": 2}, 4)
        await talk.client.request("run_experiment", {"projectId": TINY_ID, "experimentId": 2})
        failure = await talk.recv()
        assert failure["type"] == "error_running_experiment"
        assert "blew up" in inner(failure)["message"]
        (first,) = await talk.ask("experiment_status", str(TINY_ID))
        (second,) = await talk.ask("experiment_status", str(TINY_ID))
        status = {s["experimentID"]: s["status"] for s in inner(first, "update")}
        assert status["2"] == "RUNNING"
        assert {s["experimentID"]: s["status"] for s in inner(second, "update")}["2"] == "ERROR"
        (info,) = await talk.ask("get_experiment_state", {"projectId": TINY_ID, "experimentId": 2})
        assert info["type"] == "info_message" and "ERROR" in inner(info, "message")

    run_async(scenario())


def test_every_connection_is_told_running_once_before_completed(
    start_server: Any, tiny: Project
) -> None:
    server = start_server()

    async def scenario() -> None:
        first, second = await opened(server), await opened(server)
        for talk in (first, second):
            await talk.ask("load_project_from_id", {"projectId": TINY_ID}, 4)
        await first.client.request("run_experiment", {"projectId": TINY_ID, "experimentId": 1})
        # Wait until the run is over before anyone polls (QUEUED -> COMPLETED in between).
        for _ in range(200):
            record = tiny_runtime_record(server)
            if record.status == "COMPLETED":
                break
            await asyncio.sleep(0.02)
        for talk in (first, second):
            told = []
            for _ in range(3):
                (status,) = await talk.ask("experiment_status", TINY_ID)
                told.append(inner(status, "update")[0]["status"])
            assert told == ["RUNNING", "COMPLETED", "COMPLETED"]

    run_async(scenario())


def tiny_runtime_record(server: Any) -> Any:
    services = server.app.services.projects
    found = services.projects.by_id(TINY_ID)
    assert found is not None
    record = services.runtime_for(found).record(1)
    assert record is not None
    return record


def test_loads_by_url_name_string_id_and_content(start_server: Any, tiny: Project) -> None:
    server = start_server()

    async def scenario() -> None:
        talk = await opened(server)
        for url in ("tiny", "/projects/tiny.json", "https://example.org/a/tiny.json?x=1", "91"):
            replies = await talk.ask("load_project_from_url", url, 4)
            assert [m["requestID"] for m in replies] == [f"c-{talk.n}"] * 4, url
            assert inner(replies[0])["project"]["id"] == TINY_ID
        content = {
            "name": "my copy",
            "geppettoModel": {"url": "projects/tiny.json"},
            "activeExperimentId": 5,
            "experiments": [
                {
                    "id": 5,
                    "name": "five",
                    "status": "DESIGN",
                    "aspectConfigurations": [{"watchedVariables": ["pop[1].v", "nope.v"]}],
                }
            ],
        }
        replies = await talk.ask("load_project_from_content", json.dumps(content), 4)
        loaded = inner(replies[0])
        assert loaded["persisted"] is False and loaded["project"]["name"] == "my copy"
        volatile_id = loaded["project"]["id"]
        assert volatile_id != TINY_ID
        paths = [r["pointer"]["path"] for r in inner(replies[3])["recordedVariables"]]
        assert paths == ["time", "pop[1].v"]  # a path not in the model is left out
        (refused,) = await talk.ask("run_experiment", {"projectId": volatile_id, "experimentId": 5})
        assert refused["type"] == "info_message"

    run_async(scenario())


def test_unknown_projects_get_error_loading_project(start_server: Any, tiny: Project) -> None:
    server = start_server()

    async def scenario() -> None:
        talk = await opened(server)
        asks = [
            ("load_project_from_id", {"projectId": 4242}),
            ("load_project_from_id", {"projectId": "not a number"}),
            ("load_project_from_url", "nosuchproject"),
            ("load_project_from_url", "http://127.0.0.1:1/tiny-but-not.json"),
            ("load_project_from_content", '{"name": "unknown"}'),
            ("load_project_from_content", "{not json"),
        ]
        for kind, data in asks:
            (reply,) = await talk.ask(kind, data)
            assert reply["type"] == "error_loading_project", (kind, data, reply)
            assert reply["requestID"] == f"c-{talk.n}"
            assert isinstance(reply["payload"]["message"], str) and reply["payload"]["message"]
        (off,) = await talk.ask("load_project_from_url", "http://127.0.0.1:1/x.json")
        assert "fetch-project-urls" in off["payload"]["message"]

    run_async(scenario())


def test_fetching_project_urls_is_opt_in(start_server: Any, tiny: Project, tmp_path: Path) -> None:
    project_file = Flask("files")

    @project_file.route("/files/copy.json")
    def copy() -> dict[str, Any]:
        return {"name": "fetched", "geppettoModel": {"url": "tiny"}}

    # The application's fetcher refuses private hosts; this one lets the loopback server in.
    fetch = RemoteFetcher(tmp_path / "fetched", allow_private=True)
    server = start_server(
        flask_app=project_file,
        fetch_project_urls=True,
        interpreters=default_interpreters(fetch=fetch),
    )

    async def scenario() -> dict[str, Any]:
        talk = await opened(server)
        replies = await talk.ask("load_project_from_url", server.url + "/files/copy.json", 2)
        loaded: dict[str, Any] = inner(replies[0])
        return loaded

    loaded = run_async(scenario())
    assert loaded["project"]["name"] == "fetched" and loaded["persisted"] is False


def build_bare() -> Any:
    """The tiny model without hooks or experiments (its own function: another project)."""
    return build_tiny()


def test_unsupported_operations_answer_info_message(start_server: Any, tiny: Project) -> None:
    server = start_server(served=[Project(id=92, name="bare", build=build_bare)])

    async def scenario() -> None:
        talk = await opened(server)
        await talk.ask("load_project_from_id", {"projectId": 92}, 2)  # no experiments
        for kind, data in [
            ("get_script", {"projectId": 92, "scriptURL": "https://example.org/s.js"}),
            (
                "run_query",
                {
                    "projectId": 92,
                    "runnableQueries": [{"targetVariablePath": "pop", "queryPath": "q"}],
                },
            ),
            ("upload_model", {"projectId": 92, "format": "JSON"}),
            ("delete_experiment", {"projectId": 92, "experimentId": 1}),
            ("set_parameters", {"projectId": 92, "experimentId": 1, "modelParameters": {}}),
            ("resolve_import_type", {"projectId": 92, "paths": ["tiny.lazy"]}),
            ("fetch_variable", {"projectId": 92, "variableId": "v", "dataSourceId": "d"}),
            ("download_model", {"projectId": 92, "format": "JSON"}),
            ("run_experiment", {"projectId": 92, "experimentId": 1}),
            ("load_experiment", {"projectId": 4242, "experimentId": 1}),
        ]:
            (reply,) = await talk.ask(kind, data)
            assert reply["type"] == "info_message", (kind, reply)
            assert reply["requestID"] == f"c-{talk.n}"
            assert isinstance(inner(reply, "message"), str)
        (outputs,) = await talk.ask("get_supported_outputs", {"projectId": 92})
        assert inner(outputs) == []
        (status,) = await talk.ask("experiment_status", "4242")
        assert inner(status, "update") == []

    run_async(scenario())


def test_a_projects_own_handler_wins(start_server: Any, tiny: Project) -> None:
    registry = Registry()

    @registry.handler("load_project_from_id")
    def mine(conn: Any, data: Any) -> Reply:
        return Reply("project_loaded", {"project_loaded": json.dumps({"mine": True})})

    server = start_server(registry=registry)

    async def scenario() -> list[dict[str, Any]]:
        talk = await opened(server)
        first = await talk.ask("load_project_from_id", {"projectId": TINY_ID})
        # The defaults still answer what the project left to them.
        second = await talk.ask("load_project_from_url", "tiny", 4)
        return first + second

    replies = run_async(scenario())
    assert inner(replies[0]) == {"mine": True}
    assert inner(replies[1])["project"]["id"] == TINY_ID
