"""What the workbench must do with the demo project, checked the same way for the embedded
frontend and for the one `init --frontend meta` writes.

With the demo drawn (see geppetto_check.open_demo): "Run" runs its leaky integrate-and-fire
experiment, the page polls experiment_status until COMPLETED, plots the membrane potential of
the three cells (an `img` named "Plot of net.pop[i].v", axes labelled with units, the values of
the run), and plays them on the model: moving the "Time" slider from the keyboard recolours the
cells.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from geppetto_dev.projects import demo
from tests.browser.geppetto_check import PageReport, blue_pixels

PLOT_NAMES = [f"Plot of net.pop[{i}].v" for i in range(len(demo.POSITIONS))]
_CAPTION = re.compile(
    r"(?P<path>\S+): (?P<n>\d+) samples, v \(mV\) from (?P<lo>\S+) to (?P<hi>\S+), "
    r"time \(s\) from (?P<t0>\S+) to (?P<t1>\S+)"
)


@dataclass
class RunReport:
    statuses: list[str]
    blue_before: int
    blue_after: int


def _status_replies(report: PageReport) -> list[str]:
    """Every status the server reported in experiment_status replies, in order."""
    seen = []
    for frame in report.received:
        envelope = json.loads(frame)
        if envelope.get("type") == "experiment_status":
            update = json.loads(json.loads(envelope["data"])["update"])
            seen += [entry["status"] for entry in update]
    return seen


def _canvas_changes(page: Page, before: bytes) -> bool:
    for _ in range(40):  # the canvas redraws on an animation frame
        if page.locator("canvas").screenshot() != before:
            return True
        page.wait_for_timeout(100)
    return False


def run_demo_and_check_plots(
    page: Page, report: PageReport, *, keyboard: bool = False, play: bool = True
) -> RunReport:
    """Run the demo's experiment from the page and check its plots and (`play`) playback."""
    blue_before = blue_pixels(page)
    run = page.get_by_role("button", name="Run")
    expect(run).to_be_enabled()
    if keyboard:
        run.focus()
        page.keyboard.press("Enter")
    else:
        run.click()
    status = page.locator("#experiment-status")
    expect(status).not_to_have_text("COMPLETED", timeout=5_000)  # this run, not an earlier one
    expect(status).to_have_text("COMPLETED", timeout=90_000)
    statuses = _status_replies(report)
    assert "RUNNING" in statuses, statuses  # polled while it ran, not only told at the end

    plots = page.get_by_role("img", name=re.compile(r"^Plot"))
    expect(plots).to_have_count(len(PLOT_NAMES), timeout=30_000)
    assert [plots.nth(i).get_attribute("aria-label") for i in range(len(PLOT_NAMES))] == PLOT_NAMES
    samples = round(demo.EXPERIMENTS[0].length / demo.EXPERIMENTS[0].timestep)
    for i, plot in enumerate(plots.all()):
        labels = plot.locator("text").all_text_contents()
        assert "time (s)" in labels and "v (mV)" in labels, labels
        assert len(plot.locator("path.wb-plot-line").get_attribute("d") or "") > 1000
        # The caption states what is drawn: the membrane potential the server computed.
        caption = page.locator(f"#{plot.get_attribute('aria-describedby')}").text_content() or ""
        found = _CAPTION.search(caption)
        assert found, caption
        trace = demo.lif_trace(demo.CURRENTS[i], timestep=1e-4, length=0.2)
        assert found["path"] == f"net.pop[{i}].v"
        assert int(found["n"]) == samples == len(trace)
        assert abs(float(found["lo"]) - min(trace)) < 0.01
        assert abs(float(found["hi"]) - max(trace)) < 0.01
        assert float(found["t0"]) == 0.0

    blue_after = check_playback(page, samples) if play else blue_pixels(page)
    assert page.locator("#geppetto-error").count() == 0
    assert page.locator(".wb-notice").count() == 0
    return RunReport(statuses, blue_before, blue_after)


def check_playback(page: Page, samples: int) -> int:
    """The cells take the colours of their values, and change with time; the blue pixels left
    of the default colour at the start."""
    slider = page.get_by_role("slider", name="Time")
    slider.focus()
    page.keyboard.press("Home")
    expect(page.locator(".wb-time")).to_have_text("0 s")
    start = page.locator("canvas").screenshot()
    blue_after = blue_pixels(page)
    page.keyboard.press("End")
    expect(page.locator(".wb-time")).to_have_text(f"{(samples - 1) * 1e-4:.4g} s")
    assert _canvas_changes(page, start), "moving the time slider did not recolour the model"
    # Play from the start: the button turns to Pause, time moves on, and it stops at the end.
    page.keyboard.press("Home")
    play = page.get_by_role("button", name="Play")
    play.click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.locator(".wb-time")).not_to_have_text("0 s", timeout=5_000)
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=20_000)
    expect(page.locator(".wb-time")).to_have_text(f"{(samples - 1) * 1e-4:.4g} s")
    return blue_after


def show_a_spike(page: Page) -> None:
    """Put the time cursor on the first spike of the second cell (for a screenshot)."""
    trace = demo.lif_trace(demo.CURRENTS[1], timestep=1e-4, length=0.2)
    page.get_by_role("slider", name="Time").fill(str(trace.index(max(trace))))
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(500)  # the canvas redraws on an animation frame
