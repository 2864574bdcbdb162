"""The real Geppetto frontend v0.3.8-alpha: init from the npm registry, then the page in Chromium.

One module fixture runs `init` once, with an empty npm cache (a few minutes: the install is a
real download of ~1600 packages), and every check here shares it. It needs git, node, npm, the
registry, Chromium and the frontend bundle; CI requires all of them.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, WebSocket, expect, sync_playwright

from geppetto_dev.projects.demo import CURRENTS, EXPERIMENTS, lif_trace
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _launched,
    require_chromium,
    start_serve,
)
from tests.browser.view_check import canvas_blue, page_of, start_view
from tests.fixtures.classic_frontend import make_classic_remote
from tests.frontend.conftest import cli_env, require_node_tools, run_cli
from tests.proves import proves
from tests.simulators.models import spike_times
from tests.simulators.requirements import missing_module, need
from tests.support import REPO, add_account

pytestmark = [pytest.mark.real_frontend, pytest.mark.timeout(1800)]

# WebGL without a GPU: the 0.3.8 canvas needs it to create its scene.
WEBGL_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


@dataclass
class Inited:
    project: Path
    output: str
    webapp: Path


@pytest.fixture(scope="module")
def classic(tmp_path_factory: pytest.TempPathFactory) -> Inited:
    require_node_tools()
    base = tmp_path_factory.mktemp("classic")
    remote = make_classic_remote(base / "org.geppetto.frontend.git")
    env = cli_env(npm_config_offline="false", npm_config_cache=str(base / "empty-npm-cache"))
    args = ("init", "myproj", "--frontend-repo", str(remote))
    done = run_cli(*args, cwd=base, env=env, timeout=1500)
    assert done.returncode == 0, done.stdout + done.stderr
    project = base / "myproj"
    return Inited(project, done.stdout, project / "frontend" / "src" / "main" / "webapp")


@pytest.fixture(scope="module")
def webgl_browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *WEBGL_ARGS]
        )
        _launched.append(f"{CHROMIUM} (Chromium {browser.version})")
        yield browser
        browser.close()


def test_init_installs_the_tested_tree_from_the_registry(classic: Inited) -> None:
    assert "ok known frontend release v0.3.8-alpha" in classic.output
    assert "ok npm ci (" in classic.output
    page = "ok page frontend/src/main/webapp/build/geppetto.vm: common.bundle.js, main.bundle.js"
    assert page in classic.output
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=classic.project / "frontend",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert [line for line in changed if line] == [" M src/main/webapp/package.json"]
    assert not (classic.webapp / "node_modules" / "pngquant-bin").exists()


def test_the_real_client_connects_and_draws_the_demo_model(
    classic: Inited, webgl_browser: Browser
) -> None:
    served = start_serve(classic.project)
    context = webgl_browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        frames: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def socket(ws: WebSocket) -> None:
            ws.on("framereceived", lambda payload: frames.append(str(payload)))

        page.on("websocket", socket)
        page.goto(served.url + "/?load_project_from_id=1")
        page.wait_for_function(
            "() => window.Canvas1 && Canvas1.engine && Canvas1.engine.meshes &&"
            " Object.keys(Canvas1.engine.meshes).length === 4",
            timeout=90_000,
        )
        assert page.evaluate("Project.getName()") == "demo"
        # The three cells of the network, and the NeuroML cell beside them.
        assert page.evaluate("Object.keys(Canvas1.engine.meshes).sort()") == [
            "hhnet.hhpop[0]",
            "net.pop[0]",
            "net.pop[1]",
            "net.pop[2]",
        ]
        assert page.locator("#sim canvas").count() == 1
        received = [json.loads(frame) for frame in frames if frame.startswith("{")]
        types = [message["type"] for message in received]
        assert types[:2] == ["client_id", "user_privileges"], types
        (version,) = [m for m in received if m["type"] == "geppetto_version"]
        assert json.loads(version["data"]) == {"geppetto_version": "0.3.8"}
        time.sleep(1)  # errors thrown by the first frames after the draw
        assert errors == []
        artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "classic-demo.png"))
    finally:
        context.close()
        served.stop()


def _statuses(frames: list[str], experiment_id: str = "1") -> list[str]:
    """An experiment's status in each experiment_status reply, in the order received."""
    seen = []
    for frame in frames:
        message = json.loads(frame) if frame.startswith("{") else {}
        if message.get("type") == "experiment_status":
            update = json.loads(json.loads(message["data"])["update"])
            seen += [s["status"] for s in update if s["experimentID"] == experiment_id]
    return seen


def test_the_real_client_runs_the_demo_experiment_and_plays_it(
    classic: Inited, webgl_browser: Browser, tmp_path: Path
) -> None:
    # Its own database: the experiment starts in DESIGN whatever ran in this project before.
    database = f"sqlite:///{tmp_path / 'experiments.sqlite3'}"
    served = start_serve(classic.project, env={"GEPPETTO_DEV_DATABASE_URL": database})
    context = webgl_browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        frames: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
        page.goto(served.url + "/?load_project_from_id=1")
        page.wait_for_function(
            "() => window.Project && Project.getActiveExperiment && Project.getActiveExperiment()",
            timeout=90_000,
        )
        assert page.evaluate("Project.getActiveExperiment().getStatus()") == "DESIGN"

        # What a user clicks: the Run button of the simulation controls (the 0.3.8 experiments
        # table has no run icon). It is enabled only for a persisted project, a logged-in user
        # with persistence and the WRITE_PROJECT and RUN_EXPERIMENT privileges.
        run = page.locator(".simulation-controls button", has_text="Run")
        expect(run).to_be_enabled(timeout=30_000)
        run.click()
        # The client's status poller (every 2 s) moves its own experiment object.
        page.wait_for_function(
            "() => Project.getActiveExperiment().getStatus() === 'COMPLETED'", timeout=120_000
        )
        statuses = _statuses(frames)
        assert "RUNNING" in statuses, statuses
        assert statuses.index("RUNNING") < statuses.index("COMPLETED"), statuses
        play = page.locator(".simulation-controls button", has_text="Play")
        expect(play).to_be_enabled()

        # Play through the command the Play button executes: the button's own flow then calls
        # WidgetFactory.getController(PLOT).getWidgets(), a TypeError in 0.3.8 (the controller
        # became a Promise), whatever the server sent.
        page.evaluate("Project.getActiveExperiment().playAll()")  # asks get_experiment_state
        page.wait_for_function("() => GEPPETTO.ExperimentsController.isPlayExperimentReady()")
        experiment = EXPERIMENTS[0]
        steps = round(experiment.length / experiment.timestep)
        for i, current in enumerate(CURRENTS):
            series = page.evaluate(f"Instances.getInstance('net.pop[{i}].v').getTimeSeries()")
            trace = lif_trace(current, timestep=experiment.timestep, length=experiment.length)
            assert series == trace
        assert max(series) == 20.0  # the last cell fires (the trace before the run does not)
        time_series = page.evaluate("Instances.getInstance('time').getTimeSeries()")
        assert len(time_series) == steps and time_series[1] == experiment.timestep

        # The lazy part: resolve_import_type swaps the ImportType for the resolved type.
        resolved = page.evaluate(
            """() => new Promise(done => Model.demo.details.resolve(() => {
                const type = Instances.getInstance('net.details').getType();
                done([type.getMetaType(), type.getVariables().map(v => v.getId())]);
            }))"""
        )
        assert resolved == ["CompositeType", ["about", "tau_m", "resistance"]]

        time.sleep(1)  # errors thrown right after the last answer
        assert errors == []
        # Info and error dialogs render into #modal-region and stay there once shown.
        assert page.locator("#modal-region").count() == 1
        assert page.locator("#modal-region .modal").count() == 0
    finally:
        context.close()
        served.stop()


def test_the_real_client_runs_the_neuroml_cell_in_neuron_and_plays_it(
    classic: Inited, webgl_browser: Browser, tmp_path: Path
) -> None:
    """The demo's experiment 2: activated in the experiments table, run with the Run button,
    simulated by NEURON in the server's pool, played back from the recorded volts."""
    need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))
    database = f"sqlite:///{tmp_path / 'experiments.sqlite3'}"
    served = start_serve(classic.project, env={"GEPPETTO_DEV_DATABASE_URL": database})
    context = webgl_browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        frames: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
        page.goto(served.url + "/?load_project_from_id=1")
        page.wait_for_function(
            "() => window.Project && Project.getActiveExperiment && Project.getActiveExperiment()",
            timeout=90_000,
        )
        # The experiments table (its tab), the row of experiment 2, its "Activate" icon.
        page.locator("#experimentsButton").click()
        row = page.locator("#experimentsTable tr[id='2']")
        expect(row).to_be_visible(timeout=30_000)
        row.hover()
        page.locator("#activeIcon-2").click()
        page.wait_for_function("() => Project.getActiveExperiment().getId() === 2", timeout=60_000)
        run = page.locator(".simulation-controls button", has_text="Run")
        expect(run).to_be_enabled(timeout=30_000)
        run.click()
        page.wait_for_function(
            "() => Project.getActiveExperiment().getStatus() === 'COMPLETED'", timeout=180_000
        )
        statuses = _statuses(frames, "2")
        assert "RUNNING" in statuses and statuses.index("RUNNING") < statuses.index("COMPLETED")
        expect(page.locator(".simulation-controls button", has_text="Play")).to_be_enabled()
        page.evaluate("Project.getActiveExperiment().playAll()")  # asks get_experiment_state
        page.wait_for_function("() => GEPPETTO.ExperimentsController.isPlayExperimentReady()")
        v = page.evaluate("Instances.getInstance('hhnet.hhpop[0].v').getTimeSeries()")
        t = page.evaluate("Instances.getInstance('time').getTimeSeries()")
        experiment = EXPERIMENTS[1]
        assert len(v) == len(t) == round(experiment.length / experiment.timestep) + 1
        assert -0.066 < v[0] < -0.064 and max(v) > 0.02  # volts: rest, then spikes
        assert len(spike_times(t, v)) >= 3
        time.sleep(1)
        assert errors == []
        assert page.locator("#modal-region .modal").count() == 0
    finally:
        context.close()
        served.stop()


def test_a_second_init_is_clean_and_installs_and_builds_nothing(classic: Inited) -> None:
    done = run_cli("init", cwd=classic.project, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok npm install: up to date" in done.stdout
    assert "ok npm run build-dev-noTest: up to date" in done.stdout


def _messages(frames: list[str]) -> list[dict[str, Any]]:
    return [json.loads(frame) for frame in frames if frame.startswith("{")]


@proves("get_script", "get_data_source_results", "run_query", "run_query_count")
def test_the_real_client_runs_the_script_searches_and_queries_the_data_source(
    classic: Inited, webgl_browser: Browser, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'experiments.sqlite3'}"
    served = start_serve(classic.project, env={"GEPPETTO_DEV_DATABASE_URL": database})
    context = webgl_browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        received: list[str] = []
        sent: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def socket(ws: WebSocket) -> None:
            ws.on("framereceived", lambda payload: received.append(str(payload)))
            ws.on("framesent", lambda payload: sent.append(str(payload)))

        page.on("websocket", socket)
        page.goto(served.url + "/?load_project_from_id=1")

        # The experiment's script: asked for once the experiment loads, fetched, run by the
        # client, which configures Spotlight and adds the query builder for the data source.
        page.wait_for_function(
            "() => window.GEPPETTO && GEPPETTO.QueryBuilder &&"
            " GEPPETTO.QueryBuilder.configuration.DataSources.cells &&"
            " GEPPETTO.Spotlight.configuration.SpotlightBar.DataSources.cells",
            timeout=90_000,
        )
        (asked,) = [m for m in _messages(sent) if m["type"] == "get_script"]
        assert json.loads(asked["data"])["scriptURL"] == "demo.js"
        (fetched,) = [m for m in _messages(received) if m["type"] == "script_fetched"]
        assert fetched["requestID"] == asked["requestID"]

        # Spotlight: typing searches the data source; its results show under the box.
        page.evaluate("GEPPETTO.Spotlight.open(GEPPETTO.Resources.SEARCH_FLOW)")
        box = page.locator("#typeahead")
        box.type("cell", delay=60)
        results = page.locator(".tt-dataset-dataSourceResults .tt-suggestion")
        expect(results.filter(has_text="Cell 1, input 0.3 nA")).to_be_visible(timeout=20_000)
        expect(results.filter(has_text="Network of three cells")).to_be_visible()
        searched = [m for m in _messages(sent) if m["type"] == "get_data_source_results"]
        assert searched and json.loads(searched[-1]["data"])["data_source_name"] == "cells"

        # The network's result: its Query button opens the query builder on the network.
        results.filter(has_text="Network of three cells").click()
        page.locator(".spotlight-toolbar button", has_text="Query").click()
        builder = page.locator("#querybuilder")
        expect(builder).to_be_visible()
        expect(page.locator("#spotlight")).to_be_hidden()
        option = builder.locator("select.query-item-option")
        expect(option).to_have_count(1)
        option.select_option(label="Cells of Network that fire")
        expect(builder.locator("#query-results-label")).to_have_text("2 results", timeout=20_000)

        # Run it: the results table lists the two cells that fire.
        builder.locator("#run-query-btn").click()
        table = builder.locator("#query-results-container")
        expect(table).to_contain_text("Cell 1", timeout=20_000)
        expect(table).to_contain_text("Cell 2")
        expect(table).to_contain_text("net.pop[2]")
        assert "Cell 0" not in table.inner_text()
        kinds = [m["type"] for m in _messages(received)]
        assert "return_query_count" in kinds and "return_query_results" in kinds

        # No dialog at any point: no error, no info, nothing in the modal region.
        assert not {"generic_error", "info_message"} & set(kinds), kinds
        assert page.locator("#modal-region .modal").count() == 0
        time.sleep(1)  # errors thrown right after the last answer
        assert errors == []
        artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "classic-query-results.png"))
    finally:
        context.close()
        served.stop()


def test_the_real_client_draws_model_files_from_view(
    classic: Inited, webgl_browser: Browser, tmp_path: Path, nml_root: Path, navis_swc: Path
) -> None:
    """`view` in the classic project (its built 0.3.8 frontend): a jNeuroML network at `/`,
    a LEMS simulation with its experiment, a hemibrain neuron 40,000 units across."""
    files = [
        nml_root / "examples" / "NML2_MultiCompCellNetwork.nml",
        nml_root / "LEMSexamples" / "LEMS_NML2_Ex5_DetCell.xml",
        navis_swc,
    ]
    served = start_view(classic.project, files, tmp_path / "cache")
    context = webgl_browser.new_context(viewport={"width": 1280, "height": 720})
    meshes = "() => window.Canvas1 && Canvas1.engine && Object.keys(Canvas1.engine.meshes || {})"
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(served.url + "/")  # the first file
        page.wait_for_function(f"() => ({meshes})().length === 3", timeout=90_000)
        assert sorted(page.evaluate(meshes)) == [
            f"MultiCompCellNetwork.pop0[{i}]" for i in range(3)
        ]
        assert page.evaluate("Project.getName()") == "NML2_MultiCompCellNetwork.nml"
        assert canvas_blue(page, "#sim canvas") > 300

        page.goto(page_of(served, files[1]))
        page.wait_for_function(f"() => ({meshes})().length === 1", timeout=90_000)
        assert page.evaluate(meshes) == ["net1.hhpop[0]"]
        watched = page.evaluate("Project.getActiveExperiment().getWatchedVariables()")
        assert watched[:2] == ["net1.hhpop[0].v", "net1.hhpop[0].spiking"]

        page.goto(page_of(served, files[2]))
        page.wait_for_function(f"() => ({meshes})().length === 1", timeout=90_000)
        deadline = time.monotonic() + 60
        while canvas_blue(page, "#sim canvas") < 300 and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        assert canvas_blue(page, "#sim canvas") >= 300
        page.screenshot(path=str(REPO / "test-artifacts" / "classic-view-hemibrain.png"))
        time.sleep(1)  # errors thrown by the first frames after the draw
        assert errors == []
    finally:
        context.close()
        served.stop()


def test_the_real_client_offers_run_only_to_a_logged_in_user(
    classic: Inited, webgl_browser: Browser, tmp_path: Path
) -> None:
    """Accounts mode: logged out the Run control is disabled; after the login page, enabled;
    after logging out from the page's account bar, disabled again."""
    env = {"GEPPETTO_DEV_DATABASE_URL": f"sqlite:///{tmp_path / 'accounts.sqlite3'}"}
    add_account(classic.project, "alice", "alice-secret-1", cli_env(**env))
    served = start_serve(classic.project, "--accounts", env=env)
    context = webgl_browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        run = page.locator(".simulation-controls button", has_text="Run")
        bar = page.locator("#geppetto-dev-account")

        def open_demo() -> None:
            # The model drawn and the experiment loaded (logged out, the 0.3.8 client makes
            # no experiment active: ProjectNode.setActiveExperiment needs a login).
            page.wait_for_function(
                "() => window.Canvas1 && Canvas1.engine && Canvas1.engine.meshes &&"
                " Object.keys(Canvas1.engine.meshes).length > 0 &&"
                " window.Project && Project.getExperiments().length > 0",
                timeout=90_000,
            )
            page.wait_for_function("() => GEPPETTO.UserController.getUserName() !== null")

        page.goto(served.url + "/?load_project_from_id=1")
        open_demo()
        assert page.evaluate("GEPPETTO.UserController.isLoggedIn()") is False
        assert page.evaluate("Project.getActiveExperiment()") is None
        expect(run).to_be_disabled()
        bar.get_by_text("Log in").click()
        page.wait_for_url(re.compile(r"/login\?next="))
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "alice-secret-1")
        with page.expect_navigation(url=re.compile(r"/\?load_project_from_id=1$")):
            page.click("button[type=submit]")  # back where the login started
        open_demo()
        assert page.evaluate("GEPPETTO.UserController.getUserName()") == "alice"
        page.wait_for_function("() => Project.getActiveExperiment()")
        expect(run).to_be_enabled(timeout=30_000)
        expect(bar).to_contain_text("alice")

        with page.expect_navigation(url=re.compile(r"/\?load_project_from_id=1$")):
            bar.get_by_text("Log out").click()
        open_demo()
        assert page.evaluate("GEPPETTO.UserController.isLoggedIn()") is False
        expect(run).to_be_disabled()
        assert errors == []
    finally:
        context.close()
        served.stop()
    assert "alice-secret-1" not in served.text()
