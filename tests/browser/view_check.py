"""`geppetto-dev view` in the browser: files served as they are, drawn by a real client."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from geppetto_dev.projects.file_projects import file_project_id
from tests.browser.geppetto_check import blue_pixels
from tests.support import ServeProcess

CUBE = Path(__file__).resolve().parents[1] / "interpreters" / "data" / "cube_tristrips.dae"


def start_view(folder: Path, files: list[Path], cache: Path) -> ServeProcess:
    """`geppetto-dev view FILES --no-browser` in `folder` (its built frontend, if any)."""
    env = {"GEPPETTO_DEV_CACHE_DIR": str(cache), "DISPLAY": ""}
    args = [*map(str, files), "--no-browser", "--port", "0"]
    return ServeProcess(folder, *args, env=env, command="view").wait_serving(60)


def page_of(served: ServeProcess, path: Path) -> str:
    return f"{served.url}/?load_project_from_id={file_project_id(path)}"


def meta_drawn(page: Page, url: str, least: int = 300) -> int:
    """Open a file's page in the meta client: the mesh-blue pixels once it is drawn."""
    page.goto(url)
    page.wait_for_function("() => (window.Instances || []).length > 0", timeout=60_000)
    drawn = 0
    for _ in range(60):  # the canvas draws on animation frames after the model arrives
        drawn = blue_pixels(page)
        if drawn >= least:
            break
        page.wait_for_timeout(500)
    return drawn
