"""The error overlay in a real browser: Python errors under `serve --reload`, build errors under
`serve --reload --build-watch`, on the pages Flask serves, the Geppetto page of both frontends
and the frontend's static pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Watched, save_screenshot
from tests.fixtures.frontend_repo import (
    FIXTURE_VERSION,
    break_fixture_source,
    build_webapp,
    set_fixture_version,
    write_webapp,
)
from tests.frontend.conftest import require_node_tools
from tests.reload.reloading import make_project, write_message
from tests.support import ServeProcess

OVERLAY = "#geppetto-error-overlay"


def overlay_text(page: Page, part: str) -> str:
    return page.locator(f"{OVERLAY} {part}").first.inner_text()


def test_a_syntax_error_shows_file_line_and_code_and_the_fix_clears_it(
    watched: Watched, serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    page = watched.page
    project = make_project(tmp_path, "first version")
    served = serve(project, "--reload", "--app", "app:app", "--no-inspector")
    page.goto(served.url + "/page")
    page.wait_for_selector("text=first version")

    (project / "message.py").write_text("TEXT = 'fine'\nbroken = (1,\n")
    expect(page.locator(OVERLAY)).to_be_visible()
    message_py = str((project / "message.py").resolve())
    assert overlay_text(page, ".geppetto-where") == f"{message_py}:2:10"
    assert overlay_text(page, ".geppetto-message").startswith("SyntaxError: ")
    assert overlay_text(page, "mark") == "> 2 | broken = (1,"
    assert "Not reloaded" in overlay_text(page, "h2")
    save_screenshot(page, "error-overlay-syntax.png")
    # The page under it is the same document: the running server still serves the old code.
    assert page.locator("text=first version").count() == 1

    write_message(project, "second version")
    page.wait_for_selector("text=second version")
    expect(page.locator(OVERLAY)).to_have_count(0)

    # An exception while importing: every page is the error page, the same overlay.
    (project / "message.py").write_text("def f():\n    raise RuntimeError('at import')\n\nf()\n")
    page.wait_for_selector("text=The app failed to load")
    assert overlay_text(page, ".geppetto-message") == "RuntimeError: at import"
    assert overlay_text(page, ".geppetto-where") == f"{message_py}:2"
    assert overlay_text(page, "mark") == "> 2 |     raise RuntimeError('at import')"
    traceback = overlay_text(page, ".geppetto-detail pre")
    assert 'app.py", line 3' in traceback and 'message.py", line 4' in traceback
    assert "tornado" not in traceback and "geppetto_dev" not in traceback
    assert "importlib" not in traceback
    save_screenshot(page, "error-overlay-import.png")

    write_message(project, "third version")
    page.wait_for_selector("text=third version")
    expect(page.locator(OVERLAY)).to_have_count(0)
    # The terminal got the same short traceback.
    text = served.text()
    assert "error: the app failed to load:" in text and "RuntimeError: at import" in text


def test_the_geppetto_page_of_both_frontends_and_static_pages_get_the_overlay(
    watched: Watched, serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    page = watched.page
    project = make_project(tmp_path, "v1")
    served = serve(project, "--reload", "--app", "app:app", "--no-inspector")
    pages = {"embedded (meta) Geppetto page": "/"}
    webapp = project / "frontend" / "src" / "main" / "webapp"

    def check(url: str) -> None:
        page.goto(served.url + url)
        expect(page.locator("script[data-geppetto-livereload]")).to_have_count(1)
        (project / "message.py").write_text("TEXT = (\n")
        expect(page.locator(OVERLAY)).to_be_visible()
        assert overlay_text(page, ".geppetto-where").endswith("message.py:1:8")
        write_message(project, url)
        expect(page.locator(OVERLAY)).to_have_count(0, timeout=15_000)

    check(pages["embedded (meta) Geppetto page"])
    # The project's own (classic) frontend, once built, takes over the page at /.
    (webapp / "build").mkdir(parents=True)
    (webapp / "build" / "geppetto.vm").write_text(
        "<!DOCTYPE html><html><head><title>classic</title></head>"
        "<body><div id='app'>classic page</div></body></html>"
    )
    (webapp / "help.html").write_text("<html><body><p>static help</p></body></html>")
    check("/")
    assert page.title() == "classic"
    check("/org.geppetto.frontend/geppetto/help.html")
    expect(page.locator("text=static help")).to_be_visible()
    # Not a page: served as it is.
    (webapp / "data.js").write_text("var x = 1;\n")
    response = page.request.get(served.url + "/org.geppetto.frontend/geppetto/data.js")
    assert response.text() == "var x = 1;\n"


def test_a_javascript_build_error_shows_and_the_next_good_build_clears_it(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    require_node_tools()
    webapp = write_webapp(tmp_path / "frontend" / "src" / "main" / "webapp")
    build_webapp(webapp)
    served = serve(tmp_path, "--reload", "--build-watch", env={"npm_config_offline": "true"})
    page = watched.page
    page.goto(served.url + "/")
    expect(page.locator("#app")).to_have_text(f"FIXTURE_VERSION {FIXTURE_VERSION}")

    source = break_fixture_source(webapp)
    expect(page.locator(OVERLAY)).to_be_visible(timeout=20_000)
    assert "frontend build failed" in overlay_text(page, "h2").lower()
    assert overlay_text(page, ".geppetto-where") == f"{source.resolve()}:2:25"
    assert overlay_text(page, ".geppetto-message") == "SyntaxError: Unexpected token ';'"
    assert overlay_text(page, "mark") == '> 2 | window.BROKEN = "half" +;'
    save_screenshot(page, "error-overlay-build.png")
    # A page opened now shows it too.
    page.reload()
    expect(page.locator(OVERLAY)).to_be_visible()

    set_fixture_version(webapp, "fixed")
    expect(page.locator("#app")).to_have_text("FIXTURE_VERSION fixed", timeout=20_000)
    expect(page.locator(OVERLAY)).to_have_count(0)
    text = served.text()
    assert "webpack | build failed: " in text and "version.js:2:25" in text
    assert served.stop() == 0
