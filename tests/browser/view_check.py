"""`geppetto-dev view` in the browser: files served as they are, drawn by a real client."""

from __future__ import annotations

import base64
import time
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geppetto_dev.projects.file_projects import file_project_id
from tests.support import ServeProcess

CUBE = Path(__file__).resolve().parents[1] / "interpreters" / "data" / "cube_tristrips.dae"


def start_view(folder: Path, files: list[Path], cache: Path) -> ServeProcess:
    """`geppetto-dev view FILES --no-browser` in `folder` (its built frontend, if any)."""
    env = {"GEPPETTO_DEV_CACHE_DIR": str(cache), "DISPLAY": ""}
    args = [*map(str, files), "--no-browser", "--port", "0"]
    return ServeProcess(folder, *args, env=env, command="view").wait_serving(60)


def page_of(served: ServeProcess, path: Path) -> str:
    return f"{served.url}/?load_project_from_id={file_project_id(path)}"


# Pixels in the meshes' blue (blended with the dark background too: thin lines count).
_COUNT_BLUE = """async (png) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const image = await createImageBitmap(new Blob([bytes], {type: 'image/png'}));
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  let blue = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 2] > data[i] + 40 && data[i + 2] >= data[i + 1]) blue += 1;
  }
  return blue;
}"""


def canvas_blue(page: Page, selector: str = "canvas") -> int:
    """Blue pixels where the canvas is, from a screenshot of the page (an element screenshot
    waits for the element to stand still, which a canvas drawing thousands of meshes in
    software may not do for a while)."""
    box = page.locator(selector).first.bounding_box()
    if box is None or box["width"] == 0:
        return 0
    png = page.screenshot(clip=box)
    return int(page.evaluate(_COUNT_BLUE, base64.b64encode(png).decode()))


def meta_drawn(page: Page, url: str, least: int = 300) -> int:
    """Open a file's page in the meta client: the mesh-blue pixels once it is drawn."""
    page.goto(url)
    page.wait_for_function("() => (window.Instances || []).length > 0", timeout=60_000)
    drawn = 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # drawn on animation frames after the model arrives
        try:
            drawn = canvas_blue(page)
        except PlaywrightTimeout:  # busy making thousands of meshes (software WebGL)
            continue
        if drawn >= least:
            break
        page.wait_for_timeout(500)
    return drawn
