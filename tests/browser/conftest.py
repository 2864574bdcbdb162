"""Headless Debian Chromium driven by Playwright, and `geppetto-dev serve` as a real process.

Playwright never downloads a browser here: it launches /usr/bin/chromium. Without it the browser
tests are skipped, unless GEPPETTO_DEV_REQUIRE_BROWSER=1 (CI), where a missing browser fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.interpreters.conftest import (  # noqa: F401 (fixtures: real model files)
    brian2_swc,
    navis_obj,
    navis_swc,
    nml_root,
    real_files,
)
from tests.support import REPO, ServeProcess, start_serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


_launched: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line in the log saying whether the browser tests really ran, and in which browser."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        reports = terminalreporter.stats.get(outcome, [])
        mine = {r.nodeid for r in reports if r.nodeid.startswith("tests/browser/")}
        if mine:
            counts[outcome] = len(mine)
    if counts:
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        where = _launched[0] if _launched else "no browser launched"
        terminalreporter.write_line(f"browser tests: {summary} in {where}")


def _browser_missing(reason: str) -> None:
    if os.environ.get("GEPPETTO_DEV_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and GEPPETTO_DEV_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(f"{reason}; install it with 'apt-get install chromium' to run the browser tests")


def require_chromium(path: Path = CHROMIUM) -> None:
    """Skip (or, when required, fail) the calling test unless Chromium is at `path`."""
    if not path.is_file():
        _browser_missing(f"no Chromium at {path}")


# Module scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it is open, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _launched.append(f"{CHROMIUM} (Chromium {browser.version})")
        yield browser
        browser.close()


@dataclass
class Watched:
    """A page with everything that went wrong in it recorded, for "no console errors" checks."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            url = message.location.get("url", "")
            # Chromium probes /favicon.ico on its own when a page names no icon: not the page's.
            if not url.endswith("/favicon.ico"):
                self.errors.append(f"console: {message.text} ({url})")


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    watched = Watched(page)
    page.on("console", watched.record_console)
    page.on("pageerror", lambda exc: watched.errors.append(f"page error: {exc}"))
    page.on(
        "requestfailed",
        lambda request: watched.errors.append(f"request failed: {request.url}"),
    )
    yield watched
    context.close()


@pytest.fixture
def page(watched: Watched) -> Page:
    return watched.page


@pytest.fixture
def serve() -> Iterator[Callable[..., ServeProcess]]:
    """`start_serve`, with every server started stopped after the test."""
    started: list[ServeProcess] = []

    def start(project: Path, *args: str, env: dict[str, str] | None = None) -> ServeProcess:
        served = start_serve(project, *args, env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


def save_screenshot(page: Page, name: str, **options: Any) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), **options)
    return path
