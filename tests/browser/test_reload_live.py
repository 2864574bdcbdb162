"""Live reload in a real browser: pages follow `serve --reload` through edits and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.conftest import Served, Watched
from tests.reload.reloading import make_project, write_message

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_page_reloads_itself_shows_errors_and_recovers(
    watched: Watched, serve: Callable[..., Served], tmp_path: Path
) -> None:
    page = watched.page
    project = make_project(tmp_path, "first version")
    served = serve(project, "--reload", "--app", "app:app", "--no-inspector")
    page.goto(served.url + "/page")
    page.wait_for_selector("text=first version")
    page.evaluate("window.stillTheSamePage = true")

    # A save that does not compile: the page stays and shows the error over itself.
    (project / "message.py").write_text("TEXT = (\n")
    overlay = page.wait_for_selector("pre")
    overlay.wait_for_element_state("visible")
    assert "SyntaxError" in overlay.inner_text()
    assert page.evaluate("window.stillTheSamePage") is True

    # The fix: the page reloads by itself once the new server answers.
    write_message(project, "second version")
    page.wait_for_selector("text=second version")
    assert page.evaluate("window.stillTheSamePage") is None
    assert page.locator("pre").count() == 0

    # An app that fails at import: the reload shows the error page, with the traceback.
    (project / "message.py").write_text("raise RuntimeError('broken at import')\n")
    page.wait_for_selector("text=The app failed to load")
    assert "broken at import" in page.inner_text("body")

    # And the next good save brings the app back, without touching the browser.
    write_message(project, "third version")
    page.wait_for_selector("text=third version")
    # Reloads and reconnects leave no trace in the console; only the error page's own 500 does.
    assert [e for e in watched.errors if "status of 500" not in e] == []


def test_nothing_is_injected_without_reload(
    page: Page, serve: Callable[..., Served], tmp_path: Path
) -> None:
    project = make_project(tmp_path, "plain")
    served = serve(project, "--app", "app:app", "--no-inspector")
    page.goto(served.url + "/page")
    page.wait_for_selector("text=plain")
    assert page.locator("script[data-geppetto-livereload]").count() == 0
