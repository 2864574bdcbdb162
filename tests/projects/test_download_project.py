"""`download_project` over a real server and a real WebSocket client: the zip Java's
downloadProject made (`Project_<id>/<id>.json`, `GeppettoModel.xmi`, the model files with
their includes, the scripts), and the acid test: unpacked into the `projects/` folder of
another project, it loads there and shows the same model."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev import GeppettoApp
from geppetto_dev import model as gm
from geppetto_dev.config import Settings
from geppetto_dev.interpreters import ModelFile, default_interpreters
from geppetto_dev.interpreters.model_includes import includes_of
from geppetto_dev.projects import Project, project
from geppetto_dev.projects import project_zip as zips
from geppetto_dev.projects.demo import HH_CELL
from geppetto_dev.projects.file_projects import file_project_id
from tests.interpreters.samples import HEAD, TAIL
from tests.projects.conftest import TINY_ID, Conversation, inner
from tests.proves import proves
from tests.server.conftest import RunningServer, connect, run_async

SECRET = "outside the project folder"
SCRIPT = "G.addWidget(1);\n"
PROJECT_JSON = {
    "id": 7,
    "name": "HH download",
    "activeExperimentId": 1,
    "geppettoModel": {"id": 7, "url": "GeppettoModel.xmi", "type": "GEPPETTO_PROJECT"},
    "experiments": [
        {
            "id": 1,
            "name": "Pulse",
            "status": "DESIGN",
            "script": "scripts/hh.js",
            "lastModified": "1436102517799",
            "aspectConfigurations": [
                {
                    "instance": "hhcell",
                    "watchedVariables": ["hhcell.hhpop[0].v"],
                    "simulatorConfiguration": {
                        "id": 1,
                        "simulatorId": "neuronSimulator",
                        "timestep": 1e-05,
                        "length": 0.1,
                        "parameters": {"target": "hhnet"},
                    },
                }
            ],
        }
    ],
}
# The model: the cell file of another folder, and, left for later (autoresolve false), a file
# that includes one outside the project folder and an ImportType naming one there.
XMI = """  <variables id="hhcell" name="HH cell" types="//@libraries.0/@types.0"/>
  <libraries id="neuroml" name="NeuroML">
    <types xsi:type="gep_1:ImportType" id="hhnet" url="../cells/hh_cell.nml"
        modelInterpreterId="neuroMLModelInterpreter"/>
    <types xsi:type="gep_1:ImportType" id="later" url="../cells/later.nml"
        modelInterpreterId="neuroMLModelInterpreter" autoresolve="false"/>
    <types xsi:type="gep_1:ImportType" id="away" url="../../secret.nml"
        modelInterpreterId="neuroMLModelInterpreter" autoresolve="false"/>
  </libraries>
"""
LATER = """<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="later">
    <include href="../../secret.nml"/>
    <include href="channels/hh_channels.nml"/>
</neuroml>
"""


def split_cell(folder: Path) -> Path:
    """The demo's HH cell as two files: the cell and network, including its channels."""
    text = HH_CELL.read_text()
    channels = re.findall(r"\s*<ionChannelHH.*?</ionChannelHH>", text, re.DOTALL)
    cell = text
    for block in channels:
        cell = cell.replace(block, "")
    namespace = re.search(r"<neuroml[^>]*>", text)
    assert namespace is not None and channels
    start = namespace.group(0)
    cell = cell.replace(start, f'{start}\n    <include href="channels/hh_channels.nml"/>')
    (folder / "channels").mkdir(parents=True)
    (folder / "channels" / "hh_channels.nml").write_text(
        namespace.group(0) + "".join(channels) + "\n</neuroml>\n"
    )
    (folder / "hh_cell.nml").write_text(cell)
    (folder / "later.nml").write_text(LATER)
    return folder / "hh_cell.nml"


@pytest.fixture
def serve(webapp: Path) -> Iterator[Callable[..., RunningServer]]:
    """`serve(folder, **settings)`: the application `serve` makes in `folder`, on a port."""
    servers: list[RunningServer] = []

    def start(folder: Path, **settings: Any) -> RunningServer:
        database = f"sqlite:///{folder / 'data' / 'experiments.sqlite3'}"
        (folder / "data").mkdir(exist_ok=True)
        app = GeppettoApp.load(
            Settings(
                project_dir=folder,
                frontend_dir=webapp,
                database_url=database,
                inspector=False,
                **settings,
            )
        )
        servers.append(RunningServer(app))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A project folder whose `projects/` holds a Java project (JSON, XMI, script) whose model
    is a cell file of a sibling folder, which includes its channels."""
    folder = tmp_path / "source"
    projects = folder / "projects"
    split_cell(projects / "cells")
    (projects / "HH" / "scripts").mkdir(parents=True)
    (projects / "HH" / "scripts" / "hh.js").write_text(SCRIPT)
    (projects / "HH" / "GEPPETTO.json").write_text(json.dumps(PROJECT_JSON))
    (projects / "HH" / "GeppettoModel.xmi").write_text(HEAD + XMI + TAIL)
    (folder / "secret.nml").write_text(f"<neuroml><!-- {SECRET} --></neuroml>")
    return folder


def target(tmp_path: Path, archive: bytes) -> Path:
    """Another project folder, the zip unpacked into its `projects/`."""
    folder = tmp_path / "target"
    (folder / "projects").mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        z.extractall(folder / "projects")
    return folder


async def _until(talk: Conversation, kind: str) -> list[Any]:
    got = []
    while True:
        message = await talk.recv()
        got.append(message)
        if isinstance(message, dict) and message["type"] == kind:
            return got
        if isinstance(message, dict) and message["type"] in (
            "error_loading_project",
            "info_message",
            "generic_error",
        ):
            raise AssertionError(f"{message} instead of {kind}")


async def _session(url: str, project_id: int, download: bool) -> dict[str, Any]:
    client = await connect(url)
    await client.handshake()
    talk = Conversation(client)
    await client.request("load_project_from_id", {"projectId": project_id}, "load")
    loaded = await _until(talk, "geppetto_model_loaded")
    assert loaded[0]["type"] == "project_loaded", loaded[0]
    out = {
        "project": inner(loaded[0], "project_loaded")["project"],
        "model": inner(loaded[-1], "geppetto_model_loaded"),
    }
    if download:
        await client.request("download_project", {"projectId": project_id}, "download")
        replies = await _until(talk, "download_project")
        (frame,) = [r for r in replies if isinstance(r, tuple)]
        assert frame[0] == "project.zip"
        assert replies[-1]["payload"] == {"update": ""}
        out["zip"] = frame[1]
    client.conn.close()
    return out


def session(server: Any, project_id: int, download: bool = False) -> dict[str, Any]:
    """Load a project (and download it) as the client does, over the server's WebSocket."""
    return run_async(_session(server.ws_url, project_id, download))


def shape(model: Any) -> dict[str, Any]:
    """What the client shows of a model: its variables and, per library, its types (kind and
    variables), the common library and Java's `time` aside."""
    types = {}
    for lib in model["libraries"]:
        if lib["id"] == "common":
            continue
        for t in lib.get("types", []):
            names = [v["id"] for v in t.get("variables", [])]
            types[(lib["id"], t["id"])] = (t["eClass"], names, t.get("size"))
    variables = [v["id"] for v in model["variables"] if v["id"] != "time"]
    return {"variables": variables, "types": types}


def experiments(project: dict[str, Any]) -> list[Any]:
    return [
        (e["name"], e["aspectConfigurations"][0]["watchedVariables"])
        for e in project["experiments"]
    ]


@proves("download_project")
def test_a_java_project_downloads_as_java_zipped_it_and_loads_elsewhere(
    source: Path, tmp_path: Path, serve: Callable[..., RunningServer]
) -> None:
    server = serve(source)
    first_id = file_project_id(source / "projects" / "HH" / "GEPPETTO.json")
    first = session(server, first_id, download=True)
    folder = f"Project_{first_id}"
    with zipfile.ZipFile(io.BytesIO(first["zip"])) as z:
        names = sorted(z.namelist())
        assert names == [
            f"{folder}/",
            f"{folder}/{first_id}.json",
            f"{folder}/GeppettoModel.xmi",
            f"{folder}/channels/hh_channels.nml",
            f"{folder}/hh_cell.nml",
            f"{folder}/later.nml",
            f"{folder}/scripts/hh.js",
        ]
        assert not any(SECRET.encode() in z.read(n) for n in names)
        project = json.loads(z.read(f"{folder}/{first_id}.json"))
        xmi = z.read(f"{folder}/GeppettoModel.xmi").decode()
        # Java's form: references from the project's folder, dates as numbers.
        assert project["geppettoModel"]["url"] == "/GeppettoModel.xmi"
        (experiment,) = project["experiments"]
        assert experiment["script"] == "/scripts/hh.js"
        assert isinstance(experiment["lastModified"], int)  # epoch milliseconds
        assert 'url="/hh_cell.nml"' in xmi and 'url="/later.nml"' in xmi
        assert 'url="../../secret.nml"' in xmi  # outside the folder: named, not zipped
        assert z.read(f"{folder}/scripts/hh.js").decode() == SCRIPT

    elsewhere = target(tmp_path, first["zip"])
    other = serve(elsewhere)
    second_id = file_project_id(elsewhere / "projects" / folder / f"{first_id}.json")
    second = session(other, second_id)
    assert shape(second["model"]) == shape(first["model"])
    assert "hhpop" in [k[1] for k in shape(first["model"])["types"]]
    assert experiments(second["project"]) == experiments(first["project"])
    assert second["project"]["name"] == "HH download"


def test_a_model_file_downloads_with_its_includes_and_loads_elsewhere(
    source: Path, tmp_path: Path, serve: Callable[..., RunningServer]
) -> None:
    """A model file served as a project (`view`, `model-files`): an XMI naming it."""
    cell = Path("projects/cells/hh_cell.nml")
    server = serve(source, model_files=(cell,), project_files=None)
    first_id = file_project_id(source / cell)
    first = session(server, first_id, download=True)
    folder = f"Project_{first_id}"
    with zipfile.ZipFile(io.BytesIO(first["zip"])) as z:
        assert sorted(z.namelist()) == [
            f"{folder}/",
            f"{folder}/{first_id}.json",
            f"{folder}/GeppettoModel.xmi",
            f"{folder}/channels/hh_channels.nml",
            f"{folder}/hh_cell.nml",
        ]
        xmi = z.read(f"{folder}/GeppettoModel.xmi").decode()
        assert 'xsi:type="gep_1:ImportType" id="hhnet"' in xmi
        assert 'url="/hh_cell.nml" modelInterpreterId="neuroMLModelInterpreter"' in xmi
    elsewhere = target(tmp_path, first["zip"])
    other = serve(elsewhere)
    second = session(other, file_project_id(elsewhere / "projects" / folder / f"{first_id}.json"))
    assert shape(second["model"]) == shape(first["model"])
    assert [v["id"] for v in second["model"]["variables"]] == ["hhnet", "time"]


def test_a_project_built_in_python_downloads_its_model_as_xmi_and_loads_elsewhere(
    tiny: Project, tmp_path: Path, start_server: Any, serve: Callable[..., RunningServer]
) -> None:
    server = start_server()
    first = session(server, TINY_ID, download=True)
    folder = f"Project_{TINY_ID}"
    with zipfile.ZipFile(io.BytesIO(first["zip"])) as z:
        # No files: the project JSON and the model, written as XMI.
        assert sorted(z.namelist()) == [
            f"{folder}/",
            f"{folder}/{TINY_ID}.json",
            f"{folder}/GeppettoModel.xmi",
        ]
    elsewhere = target(tmp_path, first["zip"])
    other = serve(elsewhere)
    second = session(other, file_project_id(elsewhere / "projects" / folder / f"{TINY_ID}.json"))
    assert second["model"] == first["model"]  # the same model, to its JSON
    assert experiments(second["project"]) == experiments(first["project"])


def test_includes_stay_in_the_folder(source: Path) -> None:
    projects = source / "projects"
    later = ModelFile.open(projects / "cells" / "later.nml", projects)
    found = [f.path.relative_to(projects).as_posix() for f in includes_of(later)]
    assert found == ["cells/later.nml", "cells/channels/hh_channels.nml"]


async def _refused(url: str, project_id: int) -> list[Any]:
    client = await connect(url)
    await client.handshake()
    talk = Conversation(client)
    await client.request("load_project_from_id", {"projectId": project_id}, "load")
    await _until(talk, "geppetto_model_loaded")
    await client.request("download_project", {"projectId": project_id}, "download")
    while True:
        message = await talk.recv()
        if isinstance(message, tuple) or message["requestID"] == "download":
            return [message]


def test_a_download_past_the_bound_is_refused_with_a_message(
    source: Path, serve: Callable[..., RunningServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zips, "MAX_DOWNLOAD_BYTES", 1000)
    server = serve(source)
    hh = file_project_id(source / "projects" / "HH" / "GEPPETTO.json")
    (reply,) = run_async(_refused(server.ws_url, hh))
    assert reply["type"] == "info_message", reply
    message = json.loads(reply["payload"]["message"])
    assert re.search(r"'HH download' is \d+ bytes of files, more than the 1000 bytes one", message)


def test_a_python_project_of_a_model_file_names_the_file_and_simulates_it_elsewhere(
    source: Path, tmp_path: Path, start_server: Any, serve: Callable[..., RunningServer]
) -> None:
    """`@project(model_file=...)` whose model is the file's: the XMI names the file, so the
    project loaded elsewhere simulates it too; a model built further in Python is written."""
    cell = source / "projects" / "cells" / "hh_cell.nml"
    as_read = project(id=95, name="as read", model_file="projects/cells/hh_cell.nml")(
        lambda: default_interpreters().read_model(cell, source / "projects")
    )

    def built_on() -> gm.GeppettoModel:
        model = default_interpreters().read_model(cell, source / "projects")
        model.add_variable(gm.text("note", "added in Python"))
        return model

    extended = project(id=96, name="extended", model_file="projects/cells/hh_cell.nml")(built_on)
    server = start_server(served=[as_read, extended], project_dir=source)
    for item, named in ((as_read, True), (extended, False)):
        first = session(server, item.id, download=True)
        folder = f"Project_{item.id}"
        with zipfile.ZipFile(io.BytesIO(first["zip"])) as z:
            assert f"{folder}/channels/hh_channels.nml" in z.namelist()
            xmi = z.read(f"{folder}/GeppettoModel.xmi").decode()
        assert ('url="/hh_cell.nml"' in xmi) is named
        elsewhere = target(tmp_path / item.name, first["zip"])
        other = serve(elsewhere)
        unpacked = elsewhere / "projects" / folder
        second_id = file_project_id(unpacked / f"{item.id}.json")
        second = session(other, second_id)
        assert shape(second["model"]) == shape(first["model"])
        reloaded = other.app.projects.by_id(second_id)
        assert reloaded is not None
        simulated = reloaded.model_file.path if reloaded.model_file else None
        assert simulated == (str(unpacked / "hh_cell.nml") if named else None)


def test_a_pygeppetto_project_downloads_its_model_as_pyecore_writes_xmi(
    tmp_path: Path, start_server: Any, serve: Callable[..., RunningServer]
) -> None:
    pytest.importorskip("pygeppetto")
    from pygeppetto.model.model_factory import GeppettoModelFactory

    def build() -> Any:
        model = GeppettoModelFactory.createGeppettoModel("pg")
        factory = GeppettoModelFactory(model.libraries[0])
        model.variables.append(factory.create_state_variable("v"))
        model.variables.append(factory.create_text_variable("note", "from pygeppetto"))
        return model

    server = start_server(served=[project(id=94, name="pg")(build)])
    first = session(server, 94, download=True)
    elsewhere = target(tmp_path, first["zip"])
    other = serve(elsewhere)
    second = session(other, file_project_id(elsewhere / "projects" / "Project_94" / "94.json"))
    assert [v["id"] for v in second["model"]["variables"]] == ["v", "note", "time"]
    assert shape(second["model"]) == shape(first["model"])
