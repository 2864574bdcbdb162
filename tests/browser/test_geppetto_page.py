"""The Geppetto page of a built fixture frontend in headless Chromium, served by `serve`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Response, expect

from tests.browser.conftest import Watched
from tests.fixtures.frontend_repo import FIXTURE_VERSION, build_webapp, write_webapp
from tests.support import ServeProcess

BUNDLE = "/org.geppetto.frontend/geppetto/build/main.bundle.js"


def test_page_loads_its_bundle_through_the_static_route(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    # The default layout: the webapp of a cloned frontend, built.
    build_webapp(write_webapp(tmp_path / "frontend" / "src" / "main" / "webapp"))
    served = serve(tmp_path)
    page = watched.page
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))

    page.goto(served.url + "/")

    # The page's <base href> sends the relative bundle URL to the static route.
    expect(page.locator("#app")).to_have_text(f"FIXTURE_VERSION {FIXTURE_VERSION}")
    bundle = [r for r in responses if r.url == served.url + BUNDLE]
    assert [r.status for r in bundle] == [200]
    assert "javascript" in bundle[0].headers["content-type"]
    # The bundle's client reached the WebSocket and got the version reply.
    page.wait_for_function("() => window.geppettoFixture.geppettoVersion === '0.3.8'")
    assert page.evaluate("window.geppettoFixture.clientID")
    assert all(r.status < 400 for r in responses), [(r.url, r.status) for r in responses]
    assert watched.errors == []
