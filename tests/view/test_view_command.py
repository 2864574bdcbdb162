"""`geppetto-dev view` as users run it: a real process in a folder that is no project, real
model files, a real WebSocket client holding the Geppetto conversation with it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.projects.file_projects import file_project_id
from tests.projects.conftest import Conversation, inner
from tests.server.conftest import connect, run_async
from tests.support import ServeProcess, checkout_env, wait_until
from tests.view.conftest import HH_LEMS, copy_examples, hh_project

MULTI = "NML2_MultiCompCellNetwork.nml"
WS_PATH = "/org.geppetto.frontend/GeppettoServlet"


def view_env(cache: Path) -> dict[str, str]:
    """No display (so no browser) and the user's cache folder in the test's own folder."""
    return {"GEPPETTO_DEV_CACHE_DIR": str(cache), "DISPLAY": "", "WAYLAND_DISPLAY": ""}


def start_view(folder: Path, cache: Path, *args: str) -> ServeProcess:
    served = ServeProcess(
        folder, *args, "--port", "0", env=view_env(cache), command="view"
    ).wait_serving(60)
    return served


def printed_urls(served: ServeProcess) -> dict[str, str]:
    """What the command printed: {what the URL shows: URL}."""
    found = re.findall(r"^  (http://\S+)\s+(.+)$", served.text(), re.MULTILINE)
    return {what.strip(): url for url, what in found}


async def load(url: str, kind: str, data: Any) -> list[dict[str, Any]]:
    """Open a WebSocket, send one load, read its replies (2, or 4 with an experiment)."""
    client = await connect(url.replace("http://", "ws://") + WS_PATH)
    await client.handshake()
    talk = Conversation(client)
    (first,) = await talk.ask(kind, data)
    replies = [first]
    if first["type"] == "project_loaded":
        replies.append(await talk.recv())
        if inner(first)["project"]["experiments"]:
            replies += [await talk.recv(), await talk.recv()]
    client.conn.close()
    return replies


def model_of(replies: list[dict[str, Any]]) -> dict[str, Any]:
    model: dict[str, Any] = inner(replies[1])
    return model


def types_of(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["id"]: t for lib in model["libraries"] for t in lib["types"]}


def test_view_serves_files_at_their_urls_outside_any_project(
    nml_root: Path, brian2_swc: Path, tmp_path: Path
) -> None:
    here = tmp_path / "somewhere"
    here.mkdir()
    cache = tmp_path / "cache"
    multi = nml_root / "examples" / MULTI
    lems = nml_root / "LEMSexamples" / HH_LEMS
    served = start_view(here, cache, str(multi), str(lems), str(brian2_swc), "--no-browser")
    try:
        urls = printed_urls(served)
        ids = [file_project_id(p) for p in (multi, lems, brian2_swc)]
        assert urls["the first file"] == served.url + "/"
        assert urls[str(multi)] == f"{served.url}/?load_project_from_id={ids[0]}"
        assert urls[str(brian2_swc)] == f"{served.url}/?load_project_from_id={ids[2]}"
        served.wait_output(f"stored in sqlite:///{cache / 'view' / 'experiments.sqlite3'}")
        # `/` is the first file: the page's URL names it for both clients.
        opener = urllib.request.build_opener(NoRedirect())
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(served.url + "/")
        assert redirect.value.code == 302
        assert redirect.value.headers["Location"].endswith(f"/?load_project_from_id={ids[0]}")
        with urllib.request.urlopen(served.url + "/projects") as response:
            listed = json.load(response)
        assert [p["id"] for p in listed] == sorted(ids)

        network = run_async(load(served.url, "load_project_from_id", {"projectId": ids[0]}))
        model = model_of(network)
        assert [v["id"] for v in model["variables"]] == ["MultiCompCellNetwork"]
        morphology = types_of(model)["MultiCompCell__MultiCompCell_morphology"]
        assert [v["id"] for v in morphology["variables"]] == [
            "Soma_0",
            "Dendrite1_1",
            "Dendrite2a_2",
            "Dendrite2b_3",
        ]
        assert types_of(model)["pop0"]["size"] == 3

        run = run_async(load(served.url, "load_project_from_url", HH_LEMS))
        state = inner(run[3])
        paths = [v["pointer"]["path"] for v in state["recordedVariables"]]
        assert paths[:3] == ["time", "net1.hhpop[0].v", "net1.hhpop[0].spiking"]

        swc = model_of(run_async(load(served.url, "load_project_from_id", str(ids[2]))))
        morphology = types_of(swc)["mp_ma_40984_gc2_CNG"]
        points = [v["id"] for v in morphology["variables"]]
        assert len(points) == 353 and points[:2] == ["swcPoint1", "swcPoint2"]
    finally:
        assert served.stop() == 0
    assert list(here.iterdir()) == []  # no data/, nothing written where it ran
    assert (cache / "view" / "experiments.sqlite3").is_file()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


BAD_FILES = {
    "no_distal.nml": (
        '<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="x">\n'
        '<cell id="c"><morphology id="m">\n'
        '<segment id="0"><proximal x="0" y="0" z="0" diameter="1"/></segment>\n'
        "</morphology></cell></neuroml>\n",
        "no_distal.nml:3: segment 0 has no <distal> point",
    ),
    "bomb.nml": (
        '<?xml version="1.0"?>\n<!DOCTYPE n [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n'
        '<neuroml id="n">&b;</neuroml>\n',
        "bomb.nml:2: declares the entity 'a'",
    ),
    "include.nml": (
        '<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="i">\n\n'
        '  <include href="nowhere.nml"/>\n</neuroml>\n',
        "include.nml:3: includes 'nowhere.nml': no such file",
    ),
    "cell.swc": ("1 1 0 0 0 5 -1\n2 3 0 0 10 1 1\n3 3 0 10 10 0.5 99\n", "cell.swc:3:"),
    "notes.txt": ("a text file\n", "notes.txt: no model interpreter reads files named like"),
    "missing.nml": (None, "missing.nml: does not exist"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_one_line_naming_it_and_a_non_zero_exit(tmp_path: Path, name: str) -> None:
    content, expected = BAD_FILES[name]
    if content is not None:
        (tmp_path / name).write_text(content)
    done = subprocess.run(
        [sys.executable, "-m", "geppetto_dev", "view", name, "--no-browser", "--port", "0"],
        cwd=tmp_path,
        env={**checkout_env(), **view_env(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert expected in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_viewing_two_files_one_after_the_other_never_mixes_experiments(
    nml_root: Path, tmp_path: Path
) -> None:
    folder = copy_examples(nml_root, tmp_path / "models")
    cache = tmp_path / "cache"
    lems = f"LEMSexamples/{HH_LEMS}"
    other = "LEMSexamples/LEMS_NML2_Ex0_IaF.xml"
    first = start_view(folder, cache, lems, "--no-browser")
    try:
        replies = run_async(
            load(first.url, "load_project_from_id", str(file_project_id(folder / lems)))
        )
        (experiment,) = inner(replies[0])["project"]["experiments"]
        assert experiment["name"] == "sim1"
    finally:
        first.stop()
    second = start_view(folder, cache, other, "--no-browser")
    try:
        replies = run_async(
            load(second.url, "load_project_from_id", str(file_project_id(folder / other)))
        )
        project = inner(replies[0])["project"]
        assert project["name"] == "LEMS_NML2_Ex0_IaF.xml"
        (experiment,) = project["experiments"]
        watched = experiment["aspectConfigurations"][0]["watchedVariables"]
        assert watched and not any("hhpop" in w for w in watched)
        state = inner(replies[3])
        assert all("hhpop" not in v["pointer"]["path"] for v in state["recordedVariables"])
        # The first file is not this server's: its id names nothing here.
        (refused,) = run_async(
            load(second.url, "load_project_from_id", str(file_project_id(folder / lems)))
        )
        assert refused["type"] == "error_loading_project"
    finally:
        second.stop()


def test_view_reload_draws_a_saved_file_again(nml_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    for name in (MULTI, "NML2_SingleCompHHCell.nml"):
        (folder / name).write_bytes((nml_root / "examples" / name).read_bytes())
    served = start_view(folder, tmp_path / "cache", MULTI, "--no-browser", "--reload")
    project = {"projectId": str(file_project_id(folder / MULTI))}
    try:
        served.wait_output("Watching for changes in", timeout=30)
        first = model_of(run_async(load(served.url, "load_project_from_id", project)))
        assert first["variables"][0]["id"] == "MultiCompCellNetwork"
        start = len(served.output)
        cell = folder / MULTI
        cell.write_text(cell.read_text().replace("MultiCompCellNetwork", "SavedNetwork"))
        served.wait_output("Reloading", start, timeout=30)

        def redrawn() -> bool:
            try:
                replies = run_async(load(served.url, "load_project_from_id", project))
            except Exception:  # the old server closing, the new one not serving yet
                return False
            if replies[0]["type"] != "project_loaded":  # the error page server
                return False
            return bool(model_of(replies)["variables"][0]["id"] == "SavedNetwork")

        wait_until(redrawn, 60, "the saved file, drawn again")
        # A save that breaks the file: the page shows why; the next good save draws again.
        start = len(served.output)
        text = cell.read_text()
        cell.write_text(text.replace("<morphology", "<morphology broken=", 1))
        served.wait_output("Reloading", start, timeout=30)
        wait_until(lambda: page_status(served.url) == 500, 60, "the error page")
        assert MULTI in page_text(served.url)
        cell.write_text(text)
        wait_until(redrawn, 60, "the fixed file, drawn again")
        time.sleep(0.1)
    finally:
        assert served.stop() == 0


def page_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url + "/?load_project_from_id=1", timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def page_text(url: str) -> str:
    try:
        with urllib.request.urlopen(url + "/?load_project_from_id=1", timeout=10) as response:
            return str(response.read().decode())
    except urllib.error.HTTPError as error:
        return str(error.read().decode())


def test_serve_keeps_serving_after_bad_input_over_the_wire(
    project_folder: Path, tmp_path: Path
) -> None:
    """`serve` in a project folder: its projects/ folder's files, bad ones included."""
    (project_folder / "pyproject.toml").write_text(
        '[project]\nname = "lab"\n\n[tool.geppetto-dev]\n'
    )
    projects = project_folder / "projects"
    hh_project(projects / "unknown", interpreter="fortranModelInterpreter")
    (projects / "bomb.nml").write_text(BAD_FILES["bomb.nml"][0] or "")
    served = ServeProcess(
        project_folder,
        "--port",
        "0",
        env={"GEPPETTO_DEV_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    ).wait_serving(60)
    try:
        unknown = file_project_id(projects / "unknown" / "GEPPETTO.json")
        asks = [
            ("load_project_from_id", {"projectId": str(unknown)}, "fortranModelInterpreter"),
            ("load_project_from_url", "bomb.nml", "bomb.nml:2: declares the entity"),
            ("load_project_from_url", "../pyproject.toml", "outside the folder"),
            ("load_project_from_url", "/../../etc/passwd", "outside the folder"),
        ]
        for kind, data, expected in asks:
            (reply,) = run_async(load(served.url, kind, data))
            assert reply["type"] == "error_loading_project", reply
            assert expected in reply["payload"]["message"]
        good = run_async(load(served.url, "load_project_from_url", "HH/GEPPETTO.json"))
        assert inner(good[0])["project"]["name"] == "Hodgkin-Huxley Neuron"
        assert [m["type"] for m in good][1:] == [
            "geppetto_model_loaded",
            "experiment_loading",
            "experiment_loaded",
        ]
    finally:
        assert served.stop() == 0
    text = served.text()
    assert "Traceback" not in text
    assert text.count("could not load a project: ") == 4
