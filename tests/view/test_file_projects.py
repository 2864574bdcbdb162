"""Projects that are files, held in the Geppetto conversation in-process (a real Session of a
real application on a real SQLite database): model files, a Java project folder, bad files,
and experiments that belong to a file's path and content."""

from __future__ import annotations

import http.server
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev import GeppettoApp
from geppetto_dev.config import Settings
from geppetto_dev.interpreters import InterpreterError, RemoteFetcher, default_interpreters
from geppetto_dev.projects.file_projects import FILE_ID_BASE, FileProject, file_project_id
from tests.view.conftest import HH_LEMS, hh_project

MULTI = "examples/NML2_MultiCompCellNetwork.nml"
SEGMENTS = ["Soma_0", "Dendrite1_1", "Dendrite2a_2", "Dendrite2b_3"]
HH_WATCHED = [
    "net1.hhpop[0].v",
    "net1.hhpop[0].spiking",
    "net1.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.m.q",
]


def app_of(folder: Path, database: Path, **settings: Any) -> GeppettoApp:
    """The application `serve` (or `view`) makes in `folder`."""
    return GeppettoApp.load(
        Settings(
            project_dir=folder,
            database_url=f"sqlite:///{database}",
            inspector=False,
            **settings,
        )
    )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "db" / "experiments.sqlite3"


def project_of(replies: list[Any]) -> dict[str, Any]:
    assert replies[0]["type"] == "project_loaded", replies[0]
    project: dict[str, Any] = json.loads(replies[0]["data"]["project_loaded"])["project"]
    return project


def model_of(replies: list[Any]) -> dict[str, Any]:
    assert replies[1]["type"] == "geppetto_model_loaded", replies[1]
    model: dict[str, Any] = json.loads(replies[1]["data"]["geppetto_model_loaded"])
    return model


def recorded(replies: list[Any]) -> list[str]:
    assert replies[3]["type"] == "experiment_loaded", replies[3]
    state = json.loads(replies[3]["data"]["experiment_loaded"])
    return [v["pointer"]["path"] for v in state["recordedVariables"]]


def type_named(model: dict[str, Any], type_id: str) -> dict[str, Any]:
    libraries = model["libraries"]  # in a delta, what was sent is a {"synched": true}
    found = [t for lib in libraries for t in lib.get("types", []) if t.get("id") == type_id]
    assert found, f"no type {type_id}"
    return found[0]


def error_of(replies: list[Any]) -> str:
    (reply,) = replies
    assert reply["type"] == "error_loading_project", reply
    message: str = reply["data"]["message"]
    assert "\n" not in message
    return message


def test_model_files_are_projects_with_the_ids_and_paths_java_gave(
    nml_root: Path, database: Path
) -> None:
    files = (Path(MULTI), Path("LEMSexamples") / HH_LEMS)
    app = app_of(nml_root, database, model_files=files, project_files=None)
    ids = [file_project_id(nml_root / f) for f in files]
    assert all(FILE_ID_BASE <= i < 2 * FILE_ID_BASE for i in ids)
    assert app.home_project == ids[0]
    with app, app.test_client() as client:
        network = client.ask("load_project_from_id", {"projectId": ids[0]})
        assert [r["type"] for r in network] == ["project_loaded", "geppetto_model_loaded"]
        assert project_of(network)["name"] == "NML2_MultiCompCellNetwork.nml"
        model = model_of(network)
        assert [v["id"] for v in model["variables"]] == ["MultiCompCellNetwork"]
        morphology = type_named(model, "MultiCompCell__MultiCompCell_morphology")
        assert [v["id"] for v in morphology["variables"]] == SEGMENTS
        population = type_named(model, "pop0")
        assert population["size"] == 3
        cell = type_named(model, "MultiCompCell")
        compartments = [v["id"] for v in cell["variables"] if v["id"] in SEGMENTS]
        assert compartments == SEGMENTS  # one compartment per segment, its visual's id
        assert type_named(model, "projAMPA")["eClass"] == "ImportType"
        # A projection is read when the client asks, by the interpreter it names.
        (resolved,) = client.ask(
            "resolve_import_type", {"projectId": ids[0], "paths": ["neuroml.projAMPA"]}
        )
        assert resolved["type"] == "import_type_resolved", resolved
        delta = json.loads(resolved["data"]["import_type_resolved"])
        projection = type_named(delta, "projAMPA")
        assert projection["eClass"] == "CompositeType"
        assert "connections" in [v["id"] for v in projection["variables"]]
        # A connection opened after the change gets the model as it is now, whole.
        with app.test_client() as other:
            again = model_of(other.ask("load_project_from_id", {"projectId": ids[0]}))
            assert type_named(again, "projAMPA")["eClass"] == "CompositeType"
            assert type_named(again, "projNMDA")["eClass"] == "ImportType"
            assert again["variables"] == model["variables"]
            (later,) = other.ask(
                "resolve_import_type", {"projectId": ids[0], "paths": ["neuroml.projNMDA"]}
            )
            assert type_named(json.loads(later["data"]["import_type_resolved"]), "projNMDA")

        lems = client.ask("load_project_from_id", {"projectId": str(ids[1])})
        assert [r["type"] for r in lems][2:] == ["experiment_loading", "experiment_loaded"]
        (experiment,) = project_of(lems)["experiments"]
        (aspect,) = experiment["aspectConfigurations"]
        simulator = aspect["simulatorConfiguration"]
        assert (simulator["length"], simulator["timestep"]) == (0.3, 1e-05)
        assert aspect["watchedVariables"][:3] == HH_WATCHED
        assert recorded(lems)[:4] == ["time", *HH_WATCHED]


def test_a_java_project_folder_loads_with_its_experiments(
    project_folder: Path, database: Path
) -> None:
    app = app_of(project_folder, database)  # project-files: "projects", the default
    hh = project_folder / "projects" / "HH" / "GEPPETTO.json"
    with app, app.test_client() as client:
        listed = app.services.projects.project_list()
        assert [(p["id"], p["name"]) for p in listed] == [
            (file_project_id(hh), "Hodgkin-Huxley Neuron")
        ]
        replies = client.ask("load_project_from_id", {"projectId": file_project_id(hh)})
        project = project_of(replies)
        assert project["activeExperimentId"] == 1
        first, second = project["experiments"]
        assert (first["name"], first["description"]) == (
            "Hodgkin-Huxley NEURON simulation",
            "Action potentials of one cell",
        )
        (aspect,) = first["aspectConfigurations"]
        assert aspect["instance"] == "hhcell"
        assert aspect["watchedVariables"] == [
            "hhcell.hhpop[0].v",
            "hhcell.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.m.q",
        ]
        assert aspect["modelParameters"][0]["variable"].endswith("naChans.gDensity")
        assert aspect["modelParameters"][0]["value"] == 1200.0
        simulator = aspect["simulatorConfiguration"]
        assert (simulator["simulatorId"], simulator["timestep"], simulator["length"]) == (
            "neuronSimulator",
            5e-05,
            0.3,
        )
        short = second["aspectConfigurations"][0]["simulatorConfiguration"]
        assert (short["simulatorId"], short["timestep"], short["length"]) == (
            "jLemsSimulator",
            1e-05,
            0.05,
        )
        model = model_of(replies)
        assert [v["id"] for v in model["variables"]] == ["hhcell", "time"]
        assert recorded(replies) == ["time", *aspect["watchedVariables"]]

        # By URL: relative to the folder (a leading / too), the same project.
        for url in ("HH/GEPPETTO.json", "/HH/GEPPETTO.json"):
            again = client.ask("load_project_from_url", url)
            assert project_of(again)["id"] == file_project_id(hh)
        # Any model file of the folder, by URL: a project of its own from then on.
        cell = client.ask("load_project_from_url", MULTI)
        assert project_of(cell)["id"] == file_project_id(project_folder / "projects" / MULTI)
        names = [p["name"] for p in app.services.projects.project_list()]
        assert "NML2_MultiCompCellNetwork.nml" in names


def test_bad_files_answer_error_loading_project_naming_file_and_line(
    project_folder: Path, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    projects = project_folder / "projects"
    (projects / "broken").mkdir()
    (projects / "broken" / "GEPPETTO.json").write_text('{\n  name: "x",\n  id: 1 2\n}\n')
    hh_project(projects / "unknown", interpreter="fortranModelInterpreter")
    hh_project(projects / "missing", url="nowhere.nml", interpreter="neuroMLModelInterpreter")
    bomb = projects / "bomb" / "bomb.nml"
    bomb.parent.mkdir()
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE n [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<neuroml id="n">&b;</neuroml>\n'
    )
    hh_project(projects / "bomb", url="bomb.nml", interpreter="neuroMLModelInterpreter")
    include = projects / "include" / "cell.nml"
    include.parent.mkdir()
    include.write_text(
        '<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="c">\n'
        '  <include href="../../outside.nml"/>\n</neuroml>\n'
    )
    (project_folder / "outside.nml").write_text("<neuroml id='o'/>")
    caplog.set_level(logging.WARNING, logger="geppetto_dev.projects")
    app = app_of(project_folder, database)
    by_name = {
        p.path.parent.name: {"projectId": p.id}
        for p in app.projects.all()
        if isinstance(p, FileProject)
    }
    with app, app.test_client() as client:
        ask = client.ask
        assert "broken/GEPPETTO.json:3" in error_of(ask("load_project_from_id", by_name["broken"]))
        unknown = error_of(ask("load_project_from_id", by_name["unknown"]))
        assert "fortranModelInterpreter" in unknown and "lemsModelInterpreter" in unknown
        missing = error_of(ask("load_project_from_id", by_name["missing"]))
        assert "missing/nowhere.nml: no such file" in missing
        bomb = error_of(ask("load_project_from_id", by_name["bomb"]))
        assert "bomb/bomb.nml:2: declares the entity" in bomb
        assert "include/cell.nml:2" in error_of(ask("load_project_from_url", "include/cell.nml"))
        for outside in ("../outside.nml", "HH/../../outside.nml"):
            assert "outside the folder" in error_of(ask("load_project_from_url", outside))
        # Nothing was lost: the good project loads, from the same connection.
        good = ask("load_project_from_url", "HH/GEPPETTO.json")
        assert project_of(good)["name"] == "Hodgkin-Huxley Neuron"
    failures = [r.getMessage() for r in caplog.records if "could not load" in r.getMessage()]
    assert len(failures) == 7 and all("\n" not in f for f in failures)
    assert any("broken/GEPPETTO.json" in r.getMessage() for r in caplog.records)  # at start


def new_experiment(client: Any, project_id: int) -> None:
    client.ask("load_project_from_id", {"projectId": project_id})
    (created,) = client.ask("new_experiment", {"projectId": project_id})
    assert created["type"] == "experiment_created", created


def experiment_names(app: GeppettoApp, project_id: int) -> list[str]:
    (project,) = [p for p in app.services.projects.project_list() if p["id"] == project_id]
    return [e["name"] for e in project["experiments"]]


def test_experiments_belong_to_a_file_and_its_content(
    nml_root: Path, tmp_path: Path, database: Path
) -> None:
    """`view a.nml`, then `view b.nml` in one folder, then `view a.nml` again, then a.nml
    edited: one database all along, as `geppetto-dev view` keeps it."""
    folder = tmp_path / "models"
    folder.mkdir()
    a, b = folder / "a.nml", folder / "b.nml"
    a.write_bytes((nml_root / MULTI).read_bytes())
    included = "NML2_SingleCompHHCell.nml"
    (folder / included).write_bytes((nml_root / "examples" / included).read_bytes())
    b.write_bytes((nml_root / "examples" / "NML2_SimpleMorphology.nml").read_bytes())

    def view(name: str) -> GeppettoApp:
        return app_of(folder, database, model_files=(Path(name),), project_files=None)

    with view("a.nml") as app, app.test_client() as client:
        assert app.home_project == file_project_id(a)
        new_experiment(client, file_project_id(a))
        assert len(experiment_names(app, file_project_id(a))) == 1
    with view("b.nml") as app, app.test_client() as client:
        assert app.home_project == file_project_id(b) != file_project_id(a)
        replies = client.ask("load_project_from_id", {"projectId": app.home_project})
        assert project_of(replies)["experiments"] == []
        assert [p["id"] for p in app.services.projects.project_list()] == [file_project_id(b)]
    with view("a.nml") as app:
        assert len(experiment_names(app, file_project_id(a))) == 1  # same file, same content
    a.write_text(a.read_text().replace("MultiCompCellNetwork", "EditedNetwork"))
    with view("a.nml") as app, app.test_client() as client:
        assert experiment_names(app, file_project_id(a)) == []  # other content: reset
        model = model_of(client.ask("load_project_from_id", {"projectId": file_project_id(a)}))
        assert model["variables"][0]["id"] == "EditedNetwork"


WORDS_MODULE = '''
from geppetto_dev import InterpreterRegistry, Registry, handler, model as gm, project, read_model


class WordsInterpreter:
    """A text file whose words become text variables."""

    id = "wordsModelInterpreter"
    extensions = (".words",)

    def import_type(self, source, type_id, library):
        words = source.read_bytes().decode().split()
        return library.add(gm.CompositeType(type_id, None, [gm.text(w, w) for w in words]))

    def read_model(self, source):
        model = gm.GeppettoModel("words")
        words = self.import_type(source, "words", model.add_library("words"))
        model.add_variable(gm.Variable("words", words))
        return model


interpreters = InterpreterRegistry([WordsInterpreter()])


@project(id=7, name="cell and notes")
def cell_and_notes():
    model = read_model("models/NML2_MultiCompCellNetwork.nml")
    notes = read_model("models/notes.words")
    model.add_library("words").add(notes.variables[0].type)
    model.add_variable(gm.Variable("notes", notes.variables[0].type))
    return model


@handler("interpreter_ids")
def interpreter_ids(conn, data):
    return {"ids": conn.app.services.interpreters.ids}
'''


@pytest.fixture
def words_project(tmp_path: Path, nml_root: Path) -> Iterator[Path]:
    import sys

    folder = tmp_path / "wordsproject"
    (folder / "wordsapp").mkdir(parents=True)
    (folder / "wordsapp" / "__init__.py").write_text(WORDS_MODULE)
    (folder / "models").mkdir()
    for name in ("NML2_MultiCompCellNetwork.nml", "NML2_SingleCompHHCell.nml"):
        (folder / "models" / name).write_bytes((nml_root / "examples" / name).read_bytes())
    (folder / "models" / "notes.words").write_text("soma dendrite axon")
    yield folder
    sys.modules.pop("wordsapp", None)
    if str(folder) in sys.path:
        sys.path.remove(str(folder))


def test_a_project_reads_a_model_file_adds_to_it_and_registers_a_format(
    words_project: Path, database: Path
) -> None:
    from geppetto_dev.config import load_settings

    settings = load_settings(
        {
            "projects": "wordsapp",
            "handlers": "wordsapp",
            "model_files": [Path("models/notes.words")],
            "database_url": f"sqlite:///{database}",
        },
        project_dir=words_project,
        environ={},
    )
    app = GeppettoApp.load(settings)
    assert "wordsModelInterpreter" in app.interpreters
    with app, app.test_client() as client:
        (ids,) = client.ask("interpreter_ids", {})
        assert "wordsModelInterpreter" in ids["data"]["ids"]
        assert "neuroMLModelInterpreter" in ids["data"]["ids"]
        model = model_of(client.ask("load_project_from_id", {"projectId": 7}))
        assert [v["id"] for v in model["variables"]] == ["MultiCompCellNetwork", "notes"]
        notes = model_of(client.ask("load_project_from_id", {"projectId": app.home_project}))
        assert [v["id"] for v in type_named(notes, "words")["variables"]] == [
            "soma",
            "dendrite",
            "axon",
        ]


def test_read_model_outside_an_application_reads_from_the_current_folder(
    nml_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geppetto_dev import read_model

    monkeypatch.chdir(nml_root)
    assert read_model(MULTI).variables[0].id == "MultiCompCellNetwork"
    with pytest.raises(InterpreterError, match="outside the folder"):
        read_model("../outside.nml")


@pytest.fixture
def web(project_folder: Path) -> Iterator[tuple[str, list[str]]]:
    """The project folder's files over HTTP on loopback; the paths asked for."""
    asked: list[str] = []

    class Files(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(project_folder / "projects"), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            asked.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    server.server_close()


def test_a_java_project_by_url_is_fetched_only_when_allowed(
    web: tuple[str, list[str]], tmp_path: Path, database: Path
) -> None:
    base, asked = web
    url = f"{base}/HH/GEPPETTO.json"
    settings = Settings(project_dir=tmp_path, database_url=f"sqlite:///{database}")
    with app_of(tmp_path, database) as app, app.test_client() as client:
        assert "fetch-project-urls" in error_of(client.ask("load_project_from_url", url))
    with app_of(tmp_path, database, fetch_project_urls=True) as app, app.test_client() as client:
        # The application's fetcher: public hosts only.
        assert "local or private address" in error_of(client.ask("load_project_from_url", url))
    assert asked == []
    fetch = RemoteFetcher(tmp_path / "fetched", allow_private=True)
    opted_in = replace(settings, fetch_project_urls=True)
    app = GeppettoApp(opted_in, interpreters=default_interpreters(fetch=fetch))
    with app, app.test_client() as client:
        replies = client.ask("load_project_from_url", url)
        project = project_of(replies)
        assert project["name"] == "Hodgkin-Huxley Neuron"
        assert json.loads(replies[0]["data"]["project_loaded"])["persisted"] is False
        assert project["id"] < FILE_ID_BASE  # volatile: a random id, as the Java server
        assert [e["name"] for e in project["experiments"]] == [
            "Hodgkin-Huxley NEURON simulation",
            "Short run",
        ]
        assert recorded(replies)[1] == "hhcell.hhpop[0].v"
    # The XMI, the LEMS file and its NeuroML include, relative to the URLs naming them, once.
    assert asked == [
        "/HH/GEPPETTO.json",
        "/HH/GeppettoModel.xmi",
        f"/LEMSexamples/{HH_LEMS}",
        "/examples/NML2_SingleCompHHCell.nml",
    ]
    assert (tmp_path / "fetched" / "http").is_dir()
