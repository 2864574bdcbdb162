"""Live reload in a real browser: under `serve --reload` an open page follows edits and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from geppetto_dev.reload.livereload import LIVERELOAD_PATH
from tests.browser.conftest import Watched
from tests.reload.reloading import make_project, write_message
from tests.support import ServeProcess

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_page_reloads_itself_shows_errors_and_recovers(
    watched: Watched, serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    page = watched.page
    project = make_project(tmp_path, "first version")
    served = serve(project, "--reload", "--app", "app:app", "--no-inspector")
    page.goto(served.url + "/page")
    page.wait_for_selector("text=first version")
    assert page.locator("script[data-geppetto-livereload]").count() == 1
    # Survives only as long as this document does: gone after any reload.
    page.evaluate("window.stillTheSamePage = true")

    # A save that does not compile: the page stays and shows the error over itself.
    (project / "message.py").write_text("TEXT = (\n")
    overlay = page.wait_for_selector("#geppetto-error-overlay")
    overlay.wait_for_element_state("visible")
    assert "SyntaxError" in overlay.inner_text()
    assert page.evaluate("window.stillTheSamePage") is True

    # The fix: nothing here reloads the page; it must do so itself once the new server answers.
    write_message(project, "second version")
    page.wait_for_selector("text=second version")
    assert page.evaluate("window.stillTheSamePage") is None
    assert page.locator("#geppetto-error-overlay").count() == 0
    assert "Detected changes in 'message.py'" in served.text()

    # An app that fails at import: the reload shows the error page, with the traceback.
    (project / "message.py").write_text("raise RuntimeError('broken at import')\n")
    page.wait_for_selector("text=The app failed to load")
    assert "broken at import" in page.inner_text("body")

    # And the next good save brings the app back, without touching the browser.
    write_message(project, "third version")
    page.wait_for_selector("text=third version")
    # Only two things may show in the console: the error page's own 500, and the old server
    # dropping its live-reload socket on purpose (the page then reconnects to the new one).
    others = [
        e
        for e in watched.errors
        if "status of 500" not in e and not e.rstrip(")").endswith(LIVERELOAD_PATH)
    ]
    assert others == []


def test_nothing_is_injected_without_reload(
    page: Page, serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    project = make_project(tmp_path, "plain")
    served = serve(project, "--app", "app:app", "--no-inspector")
    page.goto(served.url + "/page")
    page.wait_for_selector("text=plain")
    assert page.locator("script[data-geppetto-livereload]").count() == 0
