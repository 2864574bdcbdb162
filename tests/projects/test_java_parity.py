"""Every request type the Java server (0.3.8) accepted, and geppetto-meta's `fetch`, sent by a
WebSocket client to a real `geppetto-dev serve` in a starter project made by `geppetto-dev init`,
in the order a user's session could send them; each reply's type and shape checked against
what Java sent (`geppetto_dev.reference.conformance` lists them).

Then the server is restarted: the project loaded from JSON content and persisted loads by its
new id.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.reference.conformance import JAVA_INBOUND, NEWER_CLIENTS
from tests.proves import proves
from tests.scaffold.conftest import REPO
from tests.server.conftest import Client, connect, run_async
from tests.support import ServeProcess, start_serve

CONTENT = json.dumps(
    {
        "name": "my copy",
        "geppettoModel": {"url": "demo"},
        "activeExperimentId": 1,
        "experiments": [{"id": 1, "name": "Copied run", "status": "DESIGN"}],
    }
)
BATCH = {
    "projectId": "1",
    "experiments": [
        {
            "name": "Sweep",
            "watchedVariables": ["net.pop[1].v"],
            "modelParameters": {"scale": "1.5"},
            "aspectPath": "net",
            "timeStep": 0.0001,
            "duration": 0.05,
            "simulator": "pythonSimulator",
            "simulatorParameters": {"target": "net"},
        }
    ],
}
QUERY = {
    "projectId": "1",
    "runnableQueries": [{"targetVariablePath": "net", "queryPath": "firing"}],
}
ONE = {"projectId": "1", "experimentId": "1"}
LOADED = ["project_loaded", "geppetto_model_loaded", "experiment_loading", "experiment_loaded"]
FILE = "<file>"
INFO = "info_message"

# Type -> (data as the 0.3.8 client sends it, the replies in order). In conversation order:
# persist_project persists the project loaded from content; the others work on project 1.
CASES = {
    "geppetto_version": (None, ["geppetto_version"]),
    "user_privileges": (None, ["user_privileges"]),
    "notify_user": ({"message": "hello"}, []),
    "load_project_from_content": (CONTENT, LOADED),
    "persist_project": ({"projectId": "<volatile>"}, ["project_persisted"]),
    "load_project_from_url": ("demo", LOADED),
    "load_project_from_id": ({"projectId": "1"}, LOADED),
    "get_script": ({"projectId": "1", "scriptURL": "demo.js"}, ["script_fetched"]),
    "get_data_source_results": (
        {"data_source_name": "cells", "url": "cell"},
        ["data_source_results_fetched"],
    ),
    "run_query_count": (QUERY, ["return_query_count"]),
    "run_query": (QUERY, ["return_query_results"]),
    "fetch_variable": (
        {"projectId": "1", "variableId": "cell0", "dataSourceId": "cells"},
        ["variable_fetched"],
    ),
    "fetch": (
        {
            "projectId": "1",
            "variables": ["cell1"],
            "instances": [],
            "worldId": None,
            "dataSourceId": "cells",
        },
        ["fetched"],
    ),
    "resolve_import_type": (
        {"projectId": "1", "paths": ["demo.details"]},
        ["import_type_resolved"],
    ),
    # The demo has no lazy value: what to configure, as an info dialog.
    "resolve_import_value": ({"projectId": "1", "experimentId": "1", "path": "net"}, [INFO]),
    "get_supported_outputs": ({**ONE, "instancePath": "net"}, ["get_supported_outputs"]),
    "download_model": ({**ONE, "instancePath": "net", "format": "JSON"}, [FILE, "download_model"]),
    "set_watched_variables": (
        {**ONE, "variables": ["net.pop[0].v"], "watch": True},
        ["watched_variables_set"],
    ),
    "get_watch": (ONE, []),
    "clear_watch": (ONE, []),
    "new_experiment": ({"projectId": "1"}, ["experiment_created"]),
    "clone_experiment": (ONE, ["experiment_created"]),
    "new_experiment_batch": (BATCH, ["experiment_batch_created"]),
    "save_experiment_properties": (
        {
            "projectId": 1,
            "experimentId": 2,
            "properties": {
                "name": "Renamed",
                "conversionServiceId": "lemsConversion",
                "SP$target": "net",
                "aspectInstancePath": "net",
            },
        },
        ["experiment_props_saved"],
    ),
    "set_parameters": (
        {"projectId": 1, "experimentId": 2, "modelParameters": {"net.pop[0].v": "-60"}},
        ["update_model_tree"],
    ),
    "set_experiment_view": ({**ONE, "view": '{"widgets": {}}'}, []),
    "delete_experiment": ({"projectId": 1, "experimentId": 3}, ["experiment_deleted"]),
    "load_experiment": (ONE, ["experiment_loading", "experiment_loaded"]),
    "run_experiment": (ONE, []),
    "experiment_status": ("1", ["experiment_status"]),
    "get_experiment_state": (ONE, ["get_experiment_state"]),
    "download_results": ({**ONE, "format": "RAW", "aspectPath": "net"}, [FILE, "download_results"]),
    "save_project_properties": (
        {"projectId": 1, "properties": {"name": "demo"}},
        ["project_props_saved"],
    ),
    "make_project_public": ({"projectId": "1", "isPublic": "true"}, ["project_made_public"]),
    "download_project": ({"projectId": "1"}, [FILE, "download_project"]),
    # No upload store in a starter project: what to configure, never the error dialog.
    "link_dropbox": ({"key": "k"}, [INFO]),
    "unlink_dropbox": ({"key": "k"}, [INFO]),
    "upload_model": ({**ONE, "format": "JSON", "aspectPath": "net"}, [INFO]),
    "upload_results": ({**ONE, "format": "RAW", "aspectPath": "net"}, [INFO]),
}


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
    return {**clean, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("parity")
    done = subprocess.run(
        [sys.executable, "-m", "geppetto_dev", "init", "demo-app", "--skip-frontend"],
        cwd=base,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return base / "demo-app"


@pytest.fixture
def serving(starter: Path) -> Iterator[list[ServeProcess]]:
    started: list[ServeProcess] = []
    yield started
    for served in started:
        served.stop()


class Talk:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.n = 0

    async def send(self, kind: str, data: Any) -> str:
        self.n += 1
        request_id = f"p-{self.n}"
        if kind == "new_experiment_batch":
            data = json.dumps(data)  # the 0.3.8 client stringifies this one twice
        await self.client.request(kind, data, request_id)
        return request_id

    async def ask(self, kind: str, data: Any, count: int) -> list[Any]:
        request_id = await self.send(kind, data)
        replies = [await self.client.recv(15) for _ in range(count)]
        # Nothing more: the next message answers a version probe.
        probe = await self.send("geppetto_version", None)
        after = await self.client.recv(15)
        assert isinstance(after, dict) and after["requestID"] == probe, (kind, after)
        for reply in replies:
            if isinstance(reply, dict) and reply["type"] not in (
                "dropbox_unlinked",
                "model_uploaded",
                "results_uploaded",
            ):
                assert reply["requestID"] == request_id, (kind, reply)
        return replies


def kinds(replies: list[Any]) -> list[str]:
    return [r["type"] if isinstance(r, dict) else FILE for r in replies]


def payload(reply: dict[str, Any], key: str | None = None) -> Any:
    value = json.loads(reply["data"])[key or reply["type"]]
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def check_shape(kind: str, replies: list[Any]) -> None:
    """The shapes the 0.3.8 client reads, reply by reply."""
    last = replies[-1] if replies else None
    if kind == "get_script":
        assert "GEPPETTO.Spotlight.addDataSource" in payload(last)
    elif kind == "get_data_source_results":
        found = payload(last)
        docs = json.loads(found["results"])["response"]["docs"]
        assert found["data_source_name"] == "cells" and len(docs) == 4
    elif kind == "run_query_count":
        assert payload(last) == "2"
    elif kind == "run_query":
        results = payload(last)
        assert results["eClass"] == "QueryResults" and results["header"][0] == "ID"
        assert [r["values"][0] for r in results["results"]] == ["net.pop[1]", "net.pop[2]"]
    elif kind in ("fetch_variable", "fetch", "resolve_import_type"):
        assert payload(last)["eClass"] == "GeppettoModel"
    elif kind in ("persist_project",):
        update = payload(last, "update")
        assert set(update) == {"projectID", "activeExperimentID"}
    elif kind == "experiment_props_saved":
        assert payload(last, "update")["status"] == "DESIGN"
    elif kind == "set_parameters":
        assert payload(last)["eClass"] == "ExperimentState"
    elif kind == "experiment_batch_created":
        assert [e["name"] for e in payload(last)] == ["Sweep"]
    elif kind == "make_project_public":
        assert payload(last, "update") == {"id": "1", "isPublic": True}
    elif kind == "download_project":
        with zipfile.ZipFile(io.BytesIO(replies[0][1])) as archive:
            names = archive.namelist()
            assert {"Project_1/1.json", "Project_1/GeppettoModel.xmi"} <= set(names)
    elif kind == "download_results":
        with zipfile.ZipFile(io.BytesIO(replies[0][1])) as archive:
            assert archive.read("outputMapping.dat").decode().startswith("results.dat\n")
    elif last is not None and last["type"] == INFO:
        assert isinstance(json.loads(json.loads(last["data"])["message"]), str)


@proves(*CASES)
def test_every_java_type_over_a_real_serve(starter: Path, serving: list[ServeProcess]) -> None:
    assert set(CASES) == set(JAVA_INBOUND) | {"fetch"} and "reconnect" in NEWER_CLIENTS
    database = f"sqlite:///{starter / 'data' / 'parity.sqlite3'}"
    served = start_serve(starter, env={**env(), "GEPPETTO_DEV_DATABASE_URL": database})
    serving.append(served)
    url = f"ws://127.0.0.1:{served.port}/org.geppetto.frontend/GeppettoServlet"

    async def conversation() -> int:
        client = await connect(url)
        await client.handshake()
        talk = Talk(client)
        volatile = 0
        persisted = 0
        for kind, (data, expected) in CASES.items():
            if kind == "persist_project":
                data = {"projectId": str(volatile)}
            replies = await talk.ask(kind, data, len(expected))
            assert kinds(replies) == expected, (kind, replies)
            check_shape(kind, replies)
            check_shape(expected[-1] if expected else kind, replies)
            if kind == "load_project_from_content":
                volatile = payload(replies[0])["project"]["id"]
            if kind == "persist_project":
                persisted = payload(replies[0], "update")["projectID"]
            if kind == "run_experiment":  # the client polls until the run is over
                told: list[str] = []
                while not told or told[-1] not in ("COMPLETED", "ERROR"):
                    (status,) = await talk.ask("experiment_status", "1", 1)
                    told += [
                        s["status"] for s in payload(status, "update") if s["experimentID"] == "1"
                    ]
                assert told[-1] == "COMPLETED", told
        return persisted

    persisted = run_async(conversation())
    served.stop()

    # After a restart: the persisted copy loads by its id, with its experiment.
    again = start_serve(starter, env={**env(), "GEPPETTO_DEV_DATABASE_URL": database})
    serving.append(again)

    async def reload() -> list[Any]:
        client = await connect(f"ws://127.0.0.1:{again.port}/org.geppetto.frontend/GeppettoServlet")
        await client.handshake()
        return await Talk(client).ask("load_project_from_id", {"projectId": str(persisted)}, 4)

    replies = run_async(reload())
    assert kinds(replies) == LOADED
    loaded = payload(replies[0])
    assert loaded["persisted"] is True and loaded["project"]["id"] == persisted
    assert loaded["project"]["name"] == "my copy"
    assert [e["name"] for e in loaded["project"]["experiments"]] == ["Copied run"]
