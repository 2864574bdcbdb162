"""The tutorial followed to the letter, as a new user does: its commands, its files (read from
docs/tutorial.md, so the page and the test cannot drift apart), the page in Chromium, until the
plot of the membrane potential."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import Watched
from tests.simulators.requirements import missing_module, need
from tests.support import REPO, ServeProcess, checkout_env

TUTORIAL = REPO / "docs" / "tutorial.md"
CAPTION = re.compile(
    r"net1\.hhpop\[0\]\.v: (?P<n>\d+) samples, v \(V\) from (?P<lo>\S+) to (?P<hi>\S+), "
    r"time \(s\) from 0 to (?P<t1>\S+)"
)


def code_block(title: str) -> str:
    """The fenced block of the tutorial titled `title` (what the reader copies)."""
    found = re.search(
        r'```\w+ title="' + re.escape(title) + r'"\n(.*?)```', TUTORIAL.read_text(), re.S
    )
    assert found, f"the tutorial has no block titled {title}"
    return found.group(1)


def command(text: str) -> list[str]:
    """The tutorial's `bash` line that starts with `text`, as arguments."""
    line = next(
        line.strip() for line in TUTORIAL.read_text().splitlines() if line.strip().startswith(text)
    )
    return line.split()


def test_following_the_tutorial_ends_with_a_plot(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))
    # 2. Create a project (without Node).
    init = command("geppetto-dev init mylab --skip-frontend")
    done = subprocess.run(
        [sys.executable, "-m", "geppetto_dev", *init[1:]],
        cwd=tmp_path,
        env=checkout_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    project = tmp_path / "mylab"
    # 3. The cell; 4. the project.
    (project / "models").mkdir()
    (project / "models" / "cell.nml").write_text(code_block("models/cell.nml"))
    (project / "mylab" / "projects" / "cell.py").write_text(code_block("mylab/projects/cell.py"))
    # 5. Serve it (on any free port: the test's only change).
    assert command("geppetto-dev serve") == ["geppetto-dev", "serve", "--reload"]
    served = serve(project, "--reload")

    # 6. Run the experiment and see the plot.
    page = watched.page
    page.goto(served.url + "/")
    page.get_by_role("link", name="hh-cell").click()
    expect(page.get_by_label("Experiment")).to_contain_text("Current clamp", timeout=30_000)
    run = page.get_by_role("button", name="Run")
    expect(run).to_be_enabled(timeout=30_000)
    run.click()
    status = page.locator("#experiment-status")
    expect(status).to_have_text("COMPLETED", timeout=120_000)
    plot = page.get_by_role("img", name="Plot of net1.hhpop[0].v")
    expect(plot).to_be_visible(timeout=30_000)
    caption = page.locator(f"#{plot.get_attribute('aria-describedby')}").text_content() or ""
    found = CAPTION.search(caption)
    assert found, caption
    # What the tutorial says the reader sees: volts, at rest near -0.065 V, spikes near +0.04 V.
    assert int(found["n"]) == 12001 and float(found["t1"]) == 0.3
    assert -0.08 < float(found["lo"]) < -0.06 and 0.02 < float(found["hi"]) < 0.06
    assert page.locator(".wb-notice").count() == 0
