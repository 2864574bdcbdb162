"""The frontend embedded in the package is a workbench, with no Node anywhere at serve time.

`geppetto-dev serve --app geppetto_dev.example:app` in an empty folder, a PATH without node,
and `/` in headless Chromium: the demo is drawn, "Run" runs its experiment, the status goes to
COMPLETED, the membrane potentials are plotted and played on the model. Also: the project list
when there are several projects, a failed run, and models the canvas cannot draw.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Watched, save_screenshot
from tests.browser.geppetto_check import blue_pixels, open_demo
from tests.browser.workbench_check import run_demo_and_check_plots, show_a_spike
from tests.support import REPO, ServeProcess, add_account

APP = "geppetto_dev.example:app"
DOCS_SCREENSHOT = REPO / "docs" / "workbench.png"

SEVERAL = "tests.browser.several_projects:app"  # the demo and projects 2-5


def test_the_embedded_workbench_runs_the_demo_and_plots_it(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    # An empty folder, and a PATH with no node, npm or git on it.
    served = serve(tmp_path, "--app", APP, env={"PATH": str(tmp_path)})
    page = watched.page
    # `/` names no project: the server has one, and the page opens it.
    report = open_demo(page, served.url, "/")
    assert page.evaluate("() => window.location.search") == ""
    expect(page.get_by_label("Project")).to_have_value("1")
    expect(page.get_by_label("Experiment")).to_have_value("1")

    run = run_demo_and_check_plots(page, report)
    assert run.blue_before > 500 and run.blue_after < run.blue_before // 10, run
    show_a_spike(page)
    page.screenshot(path=str(tmp_path / "workbench.png"))
    save_screenshot(page, "workbench.png")
    if os.environ.get("GEPPETTO_DEV_UPDATE_DOCS") == "1":
        shutil.copyfile(tmp_path / "workbench.png", DOCS_SCREENSHOT)
    assert (tmp_path / "workbench.png").stat().st_size > 10_000
    assert report.page_errors == [] and report.outside == []
    assert not (tmp_path / "frontend").exists()


def test_results_of_an_earlier_run_are_shown_when_the_page_opens(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    served = serve(tmp_path, "--app", APP)
    page = watched.page
    report = open_demo(page, served.url, "/")
    run_demo_and_check_plots(page, report, keyboard=True, play=False)
    # Another page, later: the experiment is COMPLETED, and its plots are there without a run.
    page.goto(served.url + "/?load_project_from_id=1&experimentId=1")
    expect(page.locator("#experiment-status")).to_have_text("COMPLETED")
    expect(page.get_by_role("img", name=re.compile(r"^Plot"))).to_have_count(3)


def test_the_project_list_opens_the_project_picked(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    served = serve(tmp_path, "--app", SEVERAL)
    page = watched.page
    page.goto(served.url + "/")
    projects = page.get_by_role("navigation", name="Projects")
    expect(projects.get_by_role("link")).to_have_text(
        ["demo", "OBJ beside a sphere", "broken mesh", "failing run", "slow run"]
    )
    assert page.evaluate("() => window.Project === undefined")
    # From the keyboard: to the demo's link, Enter.
    projects.get_by_role("link", name="demo").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/?load_project_from_id=1")
    expect(projects).to_have_count(0)
    page.wait_for_function("() => window.Project && window.Project.id === 1", timeout=30_000)
    expect(page.get_by_role("button", name="Run")).to_be_enabled()
    # The project menu lists them all; choosing one goes nowhere until "Open".
    page.get_by_label("Project").select_option(label="failing run")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.Project.id") == 1
    page.get_by_role("button", name="Open").click()
    page.wait_for_url("**/?load_project_from_id=4")
    page.wait_for_function("() => window.Project && window.Project.id === 4", timeout=30_000)


def test_a_failed_run_says_why(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    served = serve(tmp_path, "--app", SEVERAL)
    page = watched.page
    page.goto(served.url + "/?load_project_from_id=4")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#experiment-status")).to_have_text("ERROR", timeout=60_000)
    alert = page.get_by_role("alert").filter(has_text="the input current is missing")
    expect(alert).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Plot"))).to_have_count(0)
    expect(page.get_by_role("button", name="Run")).to_be_enabled()  # it can be run again


def test_stop_ends_a_run_and_it_can_run_again(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    served = serve(tmp_path, "--app", SEVERAL)
    page = watched.page
    page.goto(served.url + "/?load_project_from_id=5")
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_have_count(0)  # nothing runs
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#experiment-status")).to_have_text("RUNNING", timeout=60_000)
    expect(page.get_by_role("progressbar", name="Experiment progress")).to_have_attribute(
        "value", re.compile(r"^0\.0[0-9]*[1-9]"), timeout=30_000
    )  # the run reports its progress: it is the run hook that runs
    stop.click()
    expect(page.locator("#experiment-status")).to_have_text("CANCELED", timeout=30_000)
    expect(stop).to_have_count(0)
    expect(page.get_by_role("button", name="Run")).to_be_enabled()
    assert "experiment 1 of project 5 stopped" in served.text()
    # The page's own polls agree: the stop was the server's, not only the page's.
    page.reload()
    expect(page.locator("#experiment-status")).to_have_text("CANCELED", timeout=30_000)


@pytest.mark.parametrize(
    ("project_id", "message"),
    [
        (
            2,
            "The 3D canvas could not draw thing: the visual type of thing holds Sphere, OBJ, "
            "and an OBJ or Collada mesh can only be drawn alone",
        ),
        (3, "The 3D canvas could not draw thing: its mesh has coordinates that are not numbers."),
    ],
    ids=["obj-beside-sphere", "broken-mesh"],
)
def test_a_model_the_canvas_cannot_draw_gets_a_message(
    tmp_path: Path,
    serve: Callable[..., ServeProcess],
    watched: Watched,
    project_id: int,
    message: str,
) -> None:
    served = serve(tmp_path, "--app", SEVERAL)
    page: Page = watched.page
    page.goto(served.url + f"/?load_project_from_id={project_id}")
    alert = page.get_by_role("alert").filter(has_text="The 3D canvas")
    expect(alert).to_have_count(1, timeout=30_000)
    expect(alert).to_contain_text(message)
    assert blue_pixels(page) == 0
    # The page still works: the alert goes away, and another project opens from the picker.
    alert.get_by_role("button", name="Dismiss").click()
    expect(alert).to_have_count(0)
    page.get_by_label("Project").select_option("1")
    page.get_by_role("button", name="Open").click()
    page.wait_for_function("() => window.Project && window.Project.id === 1", timeout=30_000)


def test_with_accounts_a_guest_is_asked_to_log_in_and_then_runs(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    add_account(tmp_path, "alice", "alice-secret-1")
    served = serve(tmp_path, "--accounts", "--app", APP)
    page = watched.page
    page.goto(served.url + "/?load_project_from_id=1")
    run = page.get_by_role("button", name="Run")
    expect(page.locator(".wb-toolbar .wb-hint")).to_have_text(
        "Log in to run experiments.", timeout=30_000
    )
    expect(run).to_be_disabled()
    bar = page.locator("#geppetto-dev-account")
    bar.get_by_text("Log in").click()
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-secret-1")
    with page.expect_navigation(url=re.compile(r"/\?load_project_from_id=1$")):
        page.click("button[type=submit]")  # back to the workbench
    expect(bar).to_contain_text("alice")
    expect(run).to_be_enabled(timeout=30_000)
    run.click()
    expect(page.locator("#experiment-status")).to_have_text("COMPLETED", timeout=60_000)
    assert "alice (127.0.0.1) started experiment 1 of project 1" in served.text()
