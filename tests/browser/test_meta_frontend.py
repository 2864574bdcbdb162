"""The modern (geppetto-meta) frontend in Chromium: the one embedded in the package, and the one
`init --frontend meta` writes, installs from the npm registry and builds.

The embedded page needs nothing but Python. The init test runs a real npm install from the
registry (about 150 MB in node_modules) and a webpack build; it is skipped without node/npm or
the registry, except in CI (GEPPETTO_DEV_REQUIRE_NODE=1), where it must run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from geppetto_dev.server.embedded import EMBEDDED_DIR
from tests.browser.conftest import Watched, save_screenshot
from tests.browser.geppetto_check import blue_pixels, open_demo
from tests.browser.view_check import CUBE, meta_drawn, page_of, start_view
from tests.browser.workbench_check import run_demo_and_check_plots
from tests.support import REPO, ServeProcess
from tests.view.conftest import collada_triangles

APP = "geppetto_dev.example:app"
TEMPLATE = REPO / "scaffold_templates" / "frontend-meta"


def test_the_embedded_frontend_draws_the_demo_with_no_node(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    # An empty folder, and a PATH with no node, npm or git on it.
    served = serve(tmp_path, "--app", APP, env={"PATH": str(tmp_path)})
    page = watched.page
    open_demo(page, served.url)
    save_screenshot(page, "embedded-frontend.png")
    bundle = page.evaluate("() => document.querySelector('script[src]').src")
    assert bundle == served.url + "/org.geppetto.frontend/geppetto/build/main.js"
    assert not (tmp_path / "frontend").exists()


def test_the_embedded_frontend_shows_server_errors_without_crashing(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    served = serve(tmp_path, "--app", APP)
    page = watched.page
    page.goto(served.url + "/?load_project_from_id=404")
    banner = page.locator("#geppetto-error")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("404")
    # Nothing was drawn, and the page still works: a good project loads after the error.
    assert blue_pixels(page) == 0
    page.get_by_role("button", name="Dismiss").click()
    expect(banner).to_have_count(0)
    page.evaluate("() => GEPPETTO.MessageSocket.send('no_such_message', {})")
    expect(banner).to_contain_text("no_such_message")
    page_errors = [e for e in watched.errors if e.startswith("page error")]
    assert page_errors == []


# --- init --frontend meta, for real --------------------------------------------------------------


def _require_npm() -> None:
    if shutil.which("node") and shutil.which("npm"):
        return
    if os.environ.get("GEPPETTO_DEV_REQUIRE_NODE") == "1":
        pytest.fail("node/npm not found, and GEPPETTO_DEV_REQUIRE_NODE=1 requires this test")
    pytest.skip("node and npm are needed to install and build the meta frontend")


def _init_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
    return {**env, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "npm_config_offline": "false"}


@pytest.fixture(scope="module")
def meta_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`geppetto-dev init demo --frontend meta`: the template, npm install, a dev build."""
    _require_npm()
    root = tmp_path_factory.mktemp("meta")
    done = subprocess.run(
        [sys.executable, "-m", "geppetto_dev", "init", "demo", "--frontend", "meta"],
        cwd=root,
        env=_init_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = done.stdout + done.stderr
    if (
        done.returncode != 0
        and "ENOTFOUND" in output
        and os.environ.get("GEPPETTO_DEV_REQUIRE_NODE") != "1"
    ):
        pytest.skip("the npm registry is not reachable")
    assert done.returncode == 0, output
    yield root / "demo"


@pytest.mark.real_frontend
@pytest.mark.timeout(900)
def test_init_meta_installs_builds_and_draws_the_demo(
    meta_project: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    frontend = meta_project / "frontend"
    assert 'frontend = "meta"' in (meta_project / "pyproject.toml").read_text()
    assert not (frontend / ".git").exists()
    # npm installed exactly what the template pins: package.json and the lockfile unchanged.
    for name in ("package.json", "package-lock.json"):
        assert (frontend / name).read_text() == (TEMPLATE / f"{name}-tpl").read_text(), name
    built = frontend / "build" / "main.js"
    assert built.is_file()
    assert built.read_bytes() != (EMBEDDED_DIR / "build" / "main.js").read_bytes()
    # The starter project's own app, with its own demo project (id 1).
    served = serve(meta_project)
    page = watched.page
    open_demo(page, served.url)
    save_screenshot(page, "meta-frontend.png")
    # The page ran the project's own fresh build, not the embedded one.
    src = page.evaluate("() => document.querySelector('script[src]').src")
    with urllib.request.urlopen(src, timeout=30) as response:
        assert response.read() == built.read_bytes()


@pytest.mark.real_frontend
@pytest.mark.timeout(900)
def test_the_meta_starter_is_a_workbench_too(
    meta_project: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    # The same checks as the embedded frontend's (test_workbench.py), on the starter's own
    # build and app: `/` opens its only project, Run, status, plots, playback.
    served = serve(meta_project)
    page = watched.page
    report = open_demo(page, served.url, "/")
    run = run_demo_and_check_plots(page, report)
    assert run.blue_before > 500 and run.blue_after < run.blue_before // 10, run
    save_screenshot(page, "meta-workbench.png")
    assert report.page_errors == [] and report.outside == []


@pytest.mark.real_frontend
@pytest.mark.timeout(900)
def test_build_watch_rebuilds_a_javascript_edit_and_reloads_the_page(
    meta_project: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    served = serve(meta_project, "--reload", "--build-watch")
    page = watched.page
    page.goto(served.url + "/")
    page.wait_for_function("() => window.GEPPETTO && window.GEPPETTO.MessageSocket.clientID")
    app_js = meta_project / "frontend" / "src" / "App.js"
    source = app_js.read_text()
    edited = source.replace("<ErrorBanner />", '<ErrorBanner /><p id="edited">edited</p>', 1)
    assert edited != source
    # Before or after the watcher's first build, the build with the edit reloads the page.
    try:
        app_js.write_text(edited)
        expect(page.locator("#edited")).to_have_text("edited", timeout=120_000)
    finally:
        app_js.write_text(source)


@pytest.mark.real_frontend
@pytest.mark.timeout(900)
def test_the_production_build_reproduces_the_embedded_frontend(meta_project: Path) -> None:
    # What `python -m geppetto_dev.frontend.embed` runs, on the sources init wrote: they still
    # build, and (on the Node major the record names) into the very files the package ships.
    frontend = meta_project / "frontend"
    for name in ("package.json", "package-lock.json", "src/App.js"):
        assert (frontend / name).read_text() == (TEMPLATE / f"{name}-tpl").read_text(), name
    done = subprocess.run(
        ["npm", "run", "build"], cwd=frontend, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr
    record = json.loads((EMBEDDED_DIR.parent / "SOURCES.json").read_text())
    built = {
        name: hashlib.sha256((frontend / name).read_bytes()).hexdigest() for name in record["files"]
    }
    assert not list((frontend / "build").rglob("*.map"))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    if node.split(".")[0] == record["built_with"]["node"].split(".")[0]:
        assert built == record["files"]


@pytest.mark.real_frontend
@pytest.mark.timeout(900)
def test_the_meta_client_frames_real_sizes_and_draws_collada(
    meta_project: Path,
    watched: Watched,
    tmp_path: Path,
    nml_root: Path,
    navis_swc: Path,
    navis_obj: Path,
    brian2_swc: Path,
) -> None:
    """`view` in the meta project, whose own build is the template's: a hemibrain neuron
    (8 nm voxels: 40,000 units across) and its mesh, a NeuroMorpho cell, a jNeuroML network and
    a Collada mesh are all drawn (the camera frames each; the far plane was 1,000 units)."""
    cube = collada_triangles(CUBE, tmp_path / "cube.dae")
    files = [nml_root / "examples" / "NML2_MultiCompCellNetwork.nml", navis_swc, navis_obj]
    files += [brian2_swc, cube]
    served = start_view(meta_project, files, tmp_path / "cache")
    try:
        for path in files:
            drawn = meta_drawn(watched.page, page_of(served, path))
            assert drawn >= 300, f"{path.name}: only {drawn} pixels drawn"
            save_screenshot(watched.page, f"meta-view-{path.name.replace('.', '-')}.png")
        assert watched.page.locator("#geppetto-error").count() == 0
        page_errors = [e for e in watched.errors if e.startswith("page error")]
        assert page_errors == []
    finally:
        served.stop()


def test_the_embedded_frontend_draws_a_neuroml_file_from_view(
    tmp_path: Path, watched: Watched, nml_root: Path
) -> None:
    """`view` outside any project: the embedded frontend, no Node on the page's side."""
    files = [
        nml_root / "examples" / "NML2_MultiCompCellNetwork.nml",
        nml_root / "LEMSexamples" / "LEMS_NML2_Ex5_DetCell.xml",
    ]
    here = tmp_path / "here"
    here.mkdir()
    served = start_view(here, files, tmp_path / "cache")
    try:
        page = watched.page
        drawn = meta_drawn(page, served.url + "/")  # `/`: the first file
        assert drawn >= 300, f"only {drawn} pixels drawn"
        assert page.evaluate("() => window.Project.name") == "NML2_MultiCompCellNetwork.nml"
        assert page.evaluate("() => window.Instances.map((i) => i.getInstancePath())") == [
            "MultiCompCellNetwork"
        ]
        assert meta_drawn(page, page_of(served, files[1])) >= 300
        assert page.evaluate("() => window.Project.name") == "LEMS_NML2_Ex5_DetCell.xml"
        assert page.locator("#geppetto-error").count() == 0
        assert [e for e in watched.errors if e.startswith("page error")] == []
    finally:
        served.stop()
