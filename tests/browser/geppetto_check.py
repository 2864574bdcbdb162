"""What a working Geppetto page must do in the browser, checked the same way for every frontend.

Open `/?load_project_from_id=1` (or `/`, which opens the only project) of a server running
geppetto_dev.example (which registers the demo project) and check: the WebSocket handshake, a
WebGL canvas, the demo model's instances drawn on it, no page errors and no request outside the
server.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Page, WebSocket

# Pixels of the canvas in the meshes' default blue, counted from a screenshot decoded by the
# page itself (the WebGL drawing buffer is not readable once composited).
_COUNT_BLUE = """async (png) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const image = await createImageBitmap(new Blob([bytes], {type: 'image/png'}));
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  let blue = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 2] > 150 && data[i + 2] > data[i] + 80) blue += 1;
  }
  return blue;
}"""


@dataclass
class PageReport:
    """Everything the checks look at, recorded from before the page is opened."""

    host: str
    page_errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("request", self._request)
        page.on("websocket", self._websocket)

    def _request(self, request: object) -> None:
        url = getattr(request, "url", "")
        if not url.startswith("data:") and urlsplit(url).netloc != self.host:
            self.outside.append(url)

    def _websocket(self, socket: WebSocket) -> None:
        if urlsplit(socket.url).netloc != self.host:
            self.outside.append(socket.url)
        socket.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            self.received.append(payload)


def blue_pixels(page: Page) -> int:
    png = page.locator("canvas").screenshot()
    return int(page.evaluate(_COUNT_BLUE, base64.b64encode(png).decode()))


def open_demo(page: Page, base_url: str, path: str = "/?load_project_from_id=1") -> PageReport:
    """Open the demo project (at `path`) and check everything a working Geppetto page does."""
    report = PageReport(urlsplit(base_url).netloc)
    report.attach(page)
    page.goto(base_url + path)
    # Handshake: client_id and user_privileges arrive, the client keeps its id.
    page.wait_for_function("() => window.GEPPETTO && window.GEPPETTO.MessageSocket.clientID")
    assert any('"type": "user_privileges"' in frame for frame in report.received)
    # The demo project and its model arrive and become instances.
    page.wait_for_function(
        "() => window.Project && window.Project.id === 1 && (window.Instances || []).length > 0",
        timeout=30_000,
    )
    # The network of three cells, and the NeuroML cell beside it.
    instances = page.evaluate("() => window.Instances.map((i) => i.getInstancePath())")
    assert instances == ["net", "hhnet"]
    # A WebGL canvas, with the demo's meshes drawn on it (the camera zooms to them).
    assert page.evaluate(
        "() => { const c = document.querySelector('canvas');"
        " return !!c && !!(c.getContext('webgl2') || c.getContext('webgl')); }"
    )
    page.wait_for_function("() => document.querySelector('canvas').width > 0", timeout=10_000)
    drawn = 0
    for _ in range(20):  # the Canvas draws on an animation frame after the model arrives
        drawn = blue_pixels(page)
        if drawn > 500:
            break
        page.wait_for_timeout(250)
    assert drawn > 500, f"only {drawn} pixels of meshes on the canvas"
    # The client's Project.getId bug is handled: resolving the demo's lazy type works.
    page.evaluate(
        "() => new Promise((done) =>"
        " GEPPETTO.Manager.resolveImportType(['Model.demo.details'], done))"
    )
    page.wait_for_function(
        "() => window.Model.getLibraries().flatMap((l) => l.getTypes())"
        ".find((t) => t.getPath() === 'Model.demo.details').getMetaType() === 'CompositeType'"
    )
    assert page.locator("#geppetto-error").count() == 0
    assert report.page_errors == []
    assert report.outside == []
    return report
