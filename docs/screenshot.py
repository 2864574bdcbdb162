"""Take the demo screenshot of the README and the docs' home page.

    python docs/screenshot.py docs/demo.png

Serves `geppetto_dev.example` from an empty folder (so `/` is the embedded frontend), opens
`/?load_project_from_id=1` in headless Chromium (`/usr/bin/chromium`, driven by Playwright,
which downloads no browser) and saves the page once the demo's cells are drawn.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
SERVING = re.compile(r"Serving Geppetto on (https?://\S+?)/?(?:\s|$)")


def serve(folder: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "geppetto_dev", "serve"]
    command += ["--app", "geppetto_dev.example:app", "--port", "0"]
    server = subprocess.Popen(
        command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert server.stdout is not None
    deadline = time.monotonic() + 60
    for line in server.stdout:
        found = SERVING.search(line)
        if found:
            return server, found.group(1)
        if time.monotonic() > deadline:
            break
    server.terminate()
    raise SystemExit("geppetto-dev serve did not start")


def shoot(url: str, target: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--use-angle=swiftshader"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 640})
        page.goto(url + "/?load_project_from_id=1")
        page.wait_for_function("() => (window.Instances || []).length > 0", timeout=60_000)
        page.wait_for_timeout(3000)  # the camera zooms to the cells over a few frames
        page.screenshot(path=str(target))
        browser.close()


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/demo.png").resolve()
    with tempfile.TemporaryDirectory() as empty:
        server, url = serve(Path(empty))
        try:
            shoot(url, target)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"saved {target}")


if __name__ == "__main__":
    main()
