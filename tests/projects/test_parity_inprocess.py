"""The Java types geppetto-dev once left unanswered, held in-process with the TestClient: a real
Session of a real application on a real SQLite file, fake frames, runs inline."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev import DataSource, Experiment, GeppettoApp, QueryContext, Settings, TestClient
from geppetto_dev import model as gm
from geppetto_dev.projects import Project, project
from geppetto_dev.projects.uploads import FolderUploads
from tests.projects.conftest import RUN_GATE, build_tiny, download, run
from tests.projects.test_conversation_inprocess import InlineExecutor
from tests.proves import proves

LAB = 93
SCRIPT_TEXT = "G.addWidget(1)\nGEPPETTO.CommandController.log('lab')\n"


def lab_source() -> DataSource:
    source = DataSource("cells", name="Lab cells", result_types={"cell": {"icon": "fa-circle"}})

    @source.search
    def search(term: str) -> list[dict[str, Any]]:
        rows = [{"id": f"pop[{i}]", "label": f"Cell {i}", "type": "cell"} for i in range(2)]
        rows.append({"id": "pop", "label": "Population"})  # no type: Spotlight's default
        return [r for r in rows if term.lower() in r["label"].lower()]

    @source.fetch
    def fetch(model: gm.GeppettoModel, variable_id: str) -> gm.Variable:
        return gm.text(variable_id, f"fetched {variable_id}")

    @source.query(
        "all", description="Cells of $NAME", columns=("ID", "Name"), matches=("tiny.pop",)
    )
    def everything(model: gm.GeppettoModel, path: str) -> list[tuple[str, str]]:
        return [(f"{path}[0]", "first"), (f"{path}[1]", "second")]

    @source.query("first", description="First of $NAME", columns=("ID", "Name"))
    def first(model: gm.GeppettoModel, path: str) -> list[dict[str, str]]:
        return [{"ID": f"{path}[0]", "Name": "first"}]

    return source


def build_lab() -> gm.GeppettoModel:
    model = build_tiny()
    # A Java-style query: a process query whose processor is registered by its id.
    java = gm.ProcessQuery(
        "java", "Java", "From Java", query_processor_id="vfbSomethingQueryProcessor"
    )
    model.add_data_source(gm.DataSource("xmi", "XMI source", "neo4jDataSource", queries=[java]))
    model.add_query(gm.CompoundRefQuery("java", "Java", "From Java", query_chain=[java]))
    return model


def lab_project(folder: Path) -> Project:
    item = project(
        id=LAB,
        name="lab",
        experiments=[
            Experiment(1, "With script", watched=["pop[0].v"], script="scripts/lab.js"),
            Experiment(2, "Python script", script="python.js"),
        ],
        data_sources=[lab_source()],
        folder=folder,
    )(build_lab)

    @item.script
    def given(url: str) -> str | None:
        return "GEPPETTO.CommandController.log('from python')\n" if url == "python.js" else None

    @item.query_processor("vfbSomethingQueryProcessor")
    def processor(context: QueryContext) -> gm.QueryResults:
        return gm.QueryResults.of(("ID", "Target"), [("x1", context.target)])

    item.download("JSON")(download)
    item.run(run)
    return item


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    scripts = tmp_path / "lab" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "lab.js").write_text(SCRIPT_TEXT)
    (tmp_path / "lab" / "notes.txt").write_text("not a script")
    (tmp_path / "secret.js").write_text("outside the folder")
    return tmp_path / "lab"


def make_app(tmp_path: Path, folder: Path, **kwargs: Any) -> GeppettoApp:
    RUN_GATE.set()  # the run hook waits for it
    settings = Settings(project_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/db.sqlite3")
    return GeppettoApp(
        settings, projects=[lab_project(folder)], executor=InlineExecutor(), **kwargs
    )


@pytest.fixture
def client(tmp_path: Path, folder: Path) -> Iterator[TestClient]:
    with make_app(tmp_path, folder) as app, app.test_client() as client:
        client.ask("load_project_from_id", {"projectId": LAB})
        yield client


def only(messages: list[Any]) -> dict[str, Any]:
    (message,) = messages
    assert isinstance(message, dict)
    return message


def inner(message: dict[str, Any], key: str | None = None) -> Any:
    value = message["data"][key or message["type"]]
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


@proves("get_script")
def test_get_script_reads_the_projects_file_or_asks_python(client: TestClient) -> None:
    got = only(client.ask("get_script", {"projectId": LAB, "scriptURL": "scripts/lab.js"}))
    assert (got["type"], got["data"]) == ("script_fetched", {"script_fetched": SCRIPT_TEXT})
    given = only(client.ask("get_script", {"projectId": LAB, "scriptURL": "python.js"}))
    assert "from python" in given["data"]["script_fetched"]
    for url in ["https://example.org/x.js", "../secret.js", "/etc/passwd.js", "notes.txt", "x.js"]:
        answer = only(client.ask("get_script", {"projectId": LAB, "scriptURL": url}))
        assert answer["type"] == "info_message", url
    refused = only(client.ask("get_script", {"projectId": LAB, "scriptURL": "http://h/s.js"}))
    assert "never fetched" in json.loads(refused["data"]["message"])


@proves("get_data_source_results")
def test_spotlight_search_answers_from_the_data_source(client: TestClient) -> None:
    asked = {"data_source_name": "cells", "url": "cell"}
    got = only(client.ask("get_data_source_results", asked))
    assert got["type"] == "data_source_results_fetched"
    message = inner(got)
    assert message["data_source_name"] == "cells"
    docs = json.loads(message["results"])["response"]["docs"]
    assert [d["id"] for d in docs] == ["pop[0]", "pop[1]"]
    solr = {"data_source_name": "Lab cells", "url": "https://solr.example/select?q=popul&rows=9"}
    (population,) = json.loads(inner(only(client.ask("get_data_source_results", solr)))["results"])[
        "response"
    ]["docs"]
    assert population == {"id": "pop", "label": "Population", "type": "default"}
    unknown = only(client.ask("get_data_source_results", {"data_source_name": "nope", "url": ""}))
    assert unknown["type"] == "info_message"


def runnable(*pairs: tuple[str, str], operator: str | None = None) -> dict[str, Any]:
    items = []
    for target, query in pairs:
        item = {"targetVariablePath": target, "queryPath": query}
        if operator:
            item["booleanOperator"] = operator
        items.append(item)
    return {"projectId": LAB, "runnableQueries": items}


@proves("run_query", "run_query_count")
def test_queries_run_count_and_combine_by_id(client: TestClient) -> None:
    got = only(client.ask("run_query", runnable(("pop", "all"))))
    assert got["type"] == "return_query_results"
    results = inner(got)
    assert results["eClass"] == "QueryResults" and results["header"] == ["ID", "Name"]
    assert [r["values"] for r in results["results"]] == [["pop[0]", "first"], ["pop[1]", "second"]]
    count = only(client.ask("run_query_count", runnable(("pop", "cells.all"))))
    assert count["data"] == {"return_query_count": "2"}
    both = inner(only(client.ask("run_query", runnable(("pop", "all"), ("pop", "first")))))
    assert [r["values"][0] for r in both["results"]] == ["pop[0]"]  # AND by the ID column
    either = runnable(("pop", "first"), ("pop", "all"), operator="OR")
    assert only(client.ask("run_query_count", either))["data"] == {"return_query_count": "2"}
    java = inner(only(client.ask("run_query", runnable(("pop", "java")))))
    assert [r["values"] for r in java["results"]] == [["x1", "pop"]]
    for bad in [runnable(("extra", "all")), runnable(("pop", "nope")), runnable(("ghost", "all"))]:
        assert only(client.ask("run_query", bad))["type"] == "info_message"


def test_the_model_carries_the_data_sources_and_queries(client: TestClient) -> None:
    other = client.ask("load_project_from_id", {"projectId": LAB})
    model = other[1]["data"]["geppetto_model_loaded"]
    model = json.loads(model) if isinstance(model, str) else model
    assert [d["id"] for d in model["dataSources"]] == ["xmi", "cells"]
    assert [q["id"] for q in model["queries"]] == ["java", "all", "first"]
    cells = model["dataSources"][1]
    assert cells["queries"][0]["queryProcessorId"] == "cells.all"
    criteria = cells["queries"][0]["matchingCriteria"][0]["type"][0]
    assert criteria == {"eClass": "ArrayType", "$ref": "//@libraries.1/@types.2"}
    assert model["queries"][1]["queryChain"] == [
        {"eClass": "ProcessQuery", "$ref": "//@dataSources.1/@queries.0"}
    ]


@proves("fetch_variable", "fetch")
def test_variables_are_fetched_through_the_data_source(client: TestClient) -> None:
    got = only(
        client.ask(
            "fetch_variable", {"projectId": LAB, "variableId": "n1", "dataSourceId": "cells"}
        )
    )
    assert got["type"] == "variable_fetched"
    fetched = only(
        client.ask("fetch", {"projectId": LAB, "variables": ["n2", "n3"], "dataSourceId": "cells"})
    )
    assert fetched["type"] == "fetched"
    delta = json.loads(fetched["data"]["fetched"])
    added = [v["id"] for v in delta["variables"] if "id" in v]
    assert added == ["n2", "n3"]


@proves("new_experiment_batch")
def test_a_batch_makes_configured_experiments_that_run(client: TestClient) -> None:
    batch = {
        "projectId": LAB,
        "experiments": [
            {
                "name": f"Sweep {i}",
                "watchedVariables": ["pop[0].v"],
                "modelParameters": {"pop[0].v": str(i)},
                "timeStep": 0.001,
                "duration": 0.01,
                "simulator": "neuronSimulator",
                "simulatorParameters": {"target": "net"},
            }
            for i in range(3)
        ],
    }
    # The 0.3.8 client stringifies the object before sending it.
    got = only(client.ask("new_experiment_batch", json.dumps(json.dumps(batch))))
    assert got["type"] == "experiment_batch_created"
    made = inner(got)
    assert [e["id"] for e in made] == [3, 4, 5] and made[0]["status"] == "DESIGN"
    simulator = made[2]["aspectConfigurations"][0]["simulatorConfiguration"]
    assert simulator["simulatorId"] == "neuronSimulator" and simulator["parameters"] == {
        "target": "net"
    }
    assert (simulator["timestep"], simulator["length"]) == (0.001, 0.01)
    bad = {**batch, "experiments": [{"name": "x", "watchedVariables": ["nowhere"]}]}
    assert only(client.ask("new_experiment_batch", bad))["type"] == "info_message"


@proves("set_parameters", "save_experiment_properties")
def test_parameters_and_simulator_settings_as_java_keeps_them(tmp_path: Path, folder: Path) -> None:
    ask = {"projectId": LAB, "experimentId": 1, "modelParameters": {"pop[0].v": "-60"}}
    properties = {
        "conversionServiceId": "lemsConversion",
        "SP$target": "network_ACnet2",
        "simulatorId": "neuronSimulator",
        "aspectInstancePath": "pop",
    }
    with make_app(tmp_path, folder) as app, app.test_client() as client:
        client.ask("load_project_from_id", {"projectId": LAB})
        got = only(client.ask("set_parameters", ask))
        assert got["type"] == "update_model_tree"
        state = inner(got)
        assert state["eClass"] == "ExperimentState"
        (parameter,) = state["setParameters"]
        assert parameter["value"]["value"] == -60.0
        saved = only(
            client.ask(
                "save_experiment_properties",
                {"projectId": LAB, "experimentId": 1, "properties": properties},
            )
        )
        assert saved["type"] == "experiment_props_saved"
        assert inner(saved, "update")["status"] == "DESIGN"
        unknown = {"projectId": LAB, "experimentId": 1, "properties": {"colour": "red"}}
        assert only(client.ask("save_experiment_properties", unknown))["type"] == "info_message"
    # After a restart: kept in the database.
    with make_app(tmp_path, folder) as app, app.test_client() as client:
        loaded = client.ask("load_project_from_id", {"projectId": LAB})
        project_json = json.loads(loaded[0]["data"]["project_loaded"])["project"]
        simulator = project_json["experiments"][0]["aspectConfigurations"][0][
            "simulatorConfiguration"
        ]
        assert simulator["conversionServiceId"] == "lemsConversion"
        assert simulator["parameters"] == {"target": "network_ACnet2"}
        assert simulator["simulatorId"] == "neuronSimulator"


def volatile_json(name: str = "my copy") -> str:
    return json.dumps(
        {
            "name": name,
            "geppettoModel": {"url": "lab"},
            "activeExperimentId": 7,
            "experiments": [{"id": 7, "name": "Copied", "status": "DESIGN"}],
        }
    )


@proves("persist_project", "load_project_from_content")
def test_a_volatile_project_persisted_loads_by_its_id_after_a_restart(
    tmp_path: Path, folder: Path
) -> None:
    with make_app(tmp_path, folder) as app, app.test_client() as client:
        loaded = client.ask("load_project_from_content", volatile_json())
        volatile = json.loads(loaded[0]["data"]["project_loaded"])
        assert volatile["persisted"] is False
        old_id = volatile["project"]["id"]
        refused = only(client.ask("new_experiment", {"projectId": old_id}))
        assert refused["type"] == "info_message"
        got = only(client.ask("persist_project", {"projectId": old_id}))
        assert got["type"] == "project_persisted"
        update = inner(got, "update")
        new_id = update["projectID"]
        assert new_id != old_id and new_id > 1000 and update["activeExperimentID"] == 7
        # From now on the client uses the new id, and the project is editable.
        created = only(client.ask("new_experiment", {"projectId": new_id}))
        assert created["type"] == "experiment_created"
    with make_app(tmp_path, folder) as app, app.test_client() as client:
        replies = client.ask("load_project_from_id", {"projectId": str(new_id)})
        assert [m["type"] for m in replies][:2] == ["project_loaded", "geppetto_model_loaded"]
        loaded_project = json.loads(replies[0]["data"]["project_loaded"])
        assert loaded_project["persisted"] is True
        assert loaded_project["project"]["name"] == "my copy"
        assert [e["name"] for e in loaded_project["project"]["experiments"]] == [
            "Copied",
            "New Experiment",
        ]
        listed = app.services.projects.project_list()
        assert [p["id"] for p in listed] == [LAB, new_id]


@proves("make_project_public", "download_project")
def test_make_public_and_download_the_project(client: TestClient) -> None:
    got = only(client.ask("make_project_public", {"projectId": LAB, "isPublic": "true"}))
    assert got["type"] == "project_made_public"
    assert inner(got, "update") == {"id": str(LAB), "isPublic": True}
    again = client.ask("load_project_from_id", {"projectId": LAB})
    assert json.loads(again[0]["data"]["project_loaded"])["project"]["isPublic"] is True
    frame, reply = client.ask("download_project", {"projectId": LAB})
    assert isinstance(frame, tuple) and frame[0] == "project.zip"
    assert reply["type"] == "download_project" and reply["data"] == {"update": ""}
    with zipfile.ZipFile(io.BytesIO(frame[1])) as archive:
        names = sorted(archive.namelist())
        folder = f"Project_{LAB}"
        # As Java's downloadProject: <id>.json, the XMI model and the scripts, in one folder.
        assert names == [
            f"{folder}/",
            f"{folder}/{LAB}.json",
            f"{folder}/GeppettoModel.xmi",
            f"{folder}/python.js",
            f"{folder}/scripts/lab.js",
        ]
        project_json = json.loads(archive.read(f"{folder}/{LAB}.json"))
        assert project_json["geppettoModel"]["url"] == "/GeppettoModel.xmi"
        scripts = [e.get("script") for e in project_json["experiments"]]
        assert scripts == ["/scripts/lab.js", "/python.js"]
        xmi = archive.read(f"{folder}/GeppettoModel.xmi").decode()
        assert xmi.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<gep:GeppettoModel')
        assert archive.read(f"{folder}/scripts/lab.js").decode() == SCRIPT_TEXT


def test_a_downloaded_project_holds_its_results_as_java_zipped_them(client: TestClient) -> None:
    assert client.ask("run_experiment", {"projectId": LAB, "experimentId": 1}) == []
    frame, _ = client.ask("download_project", {"projectId": LAB})
    folder = f"Project_{LAB}"
    with zipfile.ZipFile(io.BytesIO(frame[1])) as archive:
        project_json = json.loads(archive.read(f"{folder}/{LAB}.json"))
        ran, other = project_json["experiments"]
        assert ran["status"] == "COMPLETED" and other["simulationResults"] == []
        (result,) = ran["simulationResults"]
        assert (result["format"], result["result"]["url"]) == ("RAW", "/experiment_1/results.zip")
        raw = archive.read(f"{folder}/experiment_1/results.zip")
    with zipfile.ZipFile(io.BytesIO(raw)) as recording:
        assert sorted(recording.namelist()) == ["outputMapping.dat", "results.dat"]


@proves("download_results")
def test_results_download_as_java_wrote_them(client: TestClient) -> None:
    ask = {"projectId": LAB, "experimentId": 1, "format": "RAW"}
    assert only(client.ask("download_results", ask))["type"] == "error_downloading_results"
    assert client.ask("run_experiment", {"projectId": LAB, "experimentId": 1}) == []
    assert only(client.ask("download_results", {**ask, "format": "HDF5"}))["type"] == (
        "error_downloading_results"
    )
    frame, reply = client.ask("download_results", ask)
    assert (reply["type"], reply["data"]) == ("download_results", {"download_results": ""})
    assert isinstance(frame, tuple) and frame[0] == "With_script-results.zip"
    with zipfile.ZipFile(io.BytesIO(frame[1])) as archive:
        assert sorted(archive.namelist()) == ["outputMapping.dat", "results.dat"]
        mapping = archive.read("outputMapping.dat").decode().splitlines()
        lines = archive.read("results.dat").decode().splitlines()
    assert mapping == ["results.dat", "time(StateVariable) pop[0].v"]
    assert [float(v) for v in lines[1].split("\t")] == [1e-05, -64.0]
    assert len(lines) == 5
    # The HDF5 recording, sent as the file itself.
    h5py = pytest.importorskip("h5py")
    frame, _ = client.ask("download_results", {**ask, "format": "GEPPETTO_RECORDING"})
    assert frame[0] == "With_script-results.h5"
    with h5py.File(io.BytesIO(frame[1]), "r") as recording:
        assert list(recording["pop(pop)[0]/v(StateVariable)"][:, 0]) == [
            -65.0 + i for i in range(5)
        ]


@proves("link_dropbox", "unlink_dropbox", "upload_model", "upload_results")
def test_uploads_need_a_store(client: TestClient, tmp_path: Path, folder: Path) -> None:
    for kind in ("link_dropbox", "unlink_dropbox", "upload_model", "upload_results"):
        data = {"projectId": LAB, "experimentId": 1, "format": "JSON", "key": "k"}
        answer = only(client.ask(kind, data))
        assert answer["type"] == "info_message"
        assert "upload store" in json.loads(answer["data"]["message"])
    store = tmp_path / "uploads"
    app = make_app(tmp_path / "b", folder, uploads=FolderUploads(store))
    with app, app.test_client() as other:
        other.ask("load_project_from_id", {"projectId": LAB})
        assert only(other.ask("link_dropbox", {"key": "k"}))["type"] == "dropbox_linked"
        unlinked = only(other.ask("unlink_dropbox", {"key": "k"}))
        assert (unlinked["type"], unlinked["requestID"]) == ("dropbox_unlinked", None)
        model = {"projectId": LAB, "experimentId": 1, "format": "JSON", "aspectPath": "pop"}
        uploaded = only(other.ask("upload_model", model))
        assert (uploaded["type"], uploaded["requestID"]) == ("model_uploaded", None)
        assert json.loads((store / "tiny.json").read_text())["eClass"] == "GeppettoModel"
        other.ask("run_experiment", {"projectId": LAB, "experimentId": 1})
        results = {"projectId": LAB, "experimentId": 1, "format": "RAW"}
        sent = only(other.ask("upload_results", results))
        assert (sent["type"], sent["requestID"]) == ("results_uploaded", None)
        assert zipfile.is_zipfile(store / "With_script-results.zip")


@proves("notify_user", "get_watch", "clear_watch", "user_privileges")
def test_types_java_never_answered_get_no_reply(client: TestClient) -> None:
    for kind in ("notify_user", "get_watch", "clear_watch"):
        assert client.ask(kind, {"projectId": LAB}) == []
    privileges = only(client.ask("user_privileges"))
    assert privileges["type"] == "user_privileges"
    assert "DROPBOX_INTEGRATION" not in inner(privileges)["privileges"]


def test_an_unknown_type_is_an_error_without_request_id(client: TestClient) -> None:
    error = only(client.ask("no_such_type", {}, request_id="R7"))
    assert (error["type"], error["requestID"]) == ("generic_error", None)
    detail = json.loads(error["data"]["message"])
    assert detail["error_code"] == "UNKNOWN_TYPE" and detail["id"] == "R7"
