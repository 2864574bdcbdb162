"""Under `serve --reload`, saving a Python file makes an open page reload by itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from geppetto_dev.reload.livereload import LIVERELOAD_PATH
from tests.browser.conftest import Served, Watched

APP = """
from flask import Flask

app = Flask(__name__)
MESSAGE = "{message}"


@app.route("/hello")
def hello():
    return f"<!doctype html><html><body><h1 id='message'>{{MESSAGE}}</h1></body></html>"
"""


def test_saving_a_python_file_reloads_the_open_page(
    tmp_path: Path, serve: Callable[..., Served], watched: Watched
) -> None:
    source = tmp_path / "myapp.py"
    source.write_text(APP.format(message="first version"))
    served = serve(tmp_path, "--reload", "--app", "myapp:app")
    page = watched.page
    page.goto(served.url + "/hello")
    expect(page.locator("#message")).to_have_text("first version")
    # Survives only as long as this document does: gone after any reload.
    page.evaluate("window.loadedBeforeTheSave = true")
    expect(page.locator("script[data-geppetto-livereload]")).to_have_count(1)

    source.write_text(APP.format(message="second version"))

    # Nothing here reloads the page: it must do so itself and show the new code's answer.
    expect(page.locator("#message")).to_have_text("second version", timeout=20_000)
    assert page.evaluate("window.loadedBeforeTheSave") is None
    assert "Detected changes in" in served.text()
    # The old server drops its live-reload stream on purpose (the browser then reconnects to the
    # new one); Chromium logs that as a failed request. Nothing else may go wrong.
    others = [e for e in watched.errors if not e.rstrip(")").endswith(LIVERELOAD_PATH)]
    assert others == []
