"""Under `serve --reload --build-watch`, a frontend source edit reloads the open Geppetto page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from geppetto_dev.reload.livereload import LIVERELOAD_PATH
from tests.browser.conftest import Watched
from tests.fixtures.frontend_repo import (
    FIXTURE_VERSION,
    build_webapp,
    set_fixture_version,
    write_webapp,
)
from tests.frontend.conftest import require_node_tools
from tests.support import ServeProcess


def test_a_finished_frontend_build_reloads_the_open_page(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    require_node_tools()
    webapp = write_webapp(tmp_path / "frontend" / "src" / "main" / "webapp")
    build_webapp(webapp)
    served = serve(tmp_path, "--reload", "--build-watch", env={"npm_config_offline": "true"})
    page = watched.page
    page.goto(served.url + "/")
    expect(page.locator("#app")).to_have_text(f"FIXTURE_VERSION {FIXTURE_VERSION}")
    expect(page.locator("script[data-geppetto-livereload]")).to_have_count(1)

    set_fixture_version(webapp, "rebuilt by the watcher")

    # Nothing here reloads the page: the build's end must, and the new bundle must be served.
    expect(page.locator("#app")).to_have_text(
        "FIXTURE_VERSION rebuilt by the watcher", timeout=20_000
    )
    text = served.text()
    assert "webpack | build finished; reloading open pages" in text
    assert "server  | Serving Geppetto on" in text
    # A reload ends the live-reload stream, which Chromium logs as a failed request.
    others = [e for e in watched.errors if not e.rstrip(")").endswith(LIVERELOAD_PATH)]
    assert others == []
    assert served.stop() == 0
