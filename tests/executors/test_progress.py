"""The progress line counts queued, running and done runs, and says so once they settle."""

from __future__ import annotations

import io
import time
from concurrent.futures import Future
from pathlib import Path

from geppetto_dev.executors import Progress
from geppetto_dev.executors.control import RunControl, report_progress, using_control


def test_counts_and_final_line() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    futures: list[Future[int]] = [Future() for _ in range(4)]
    for future in futures:
        progress.track(future)
    futures[0].set_running_or_notify_cancel()
    futures[1].set_running_or_notify_cancel()
    futures[1].set_result(1)
    futures[2].set_exception(RuntimeError("boom"))
    assert progress.line() == "experiments: 1 queued, 1 running, 2 done (1 failed)"
    futures[0].set_result(0)
    futures[3].set_result(3)
    deadline = time.monotonic() + 10
    while "4 done" not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    last = stream.getvalue().splitlines()[-1]
    assert last == "experiments: 0 queued, 0 running, 4 done (1 failed)"


def test_running_runs_tell_how_far_they_have_got(tmp_path: Path) -> None:
    """What a run reports through its control folder shows on the line, in simulated time."""
    progress = Progress(io.StringIO())
    futures: list[Future[int]] = [Future() for _ in range(3)]
    controls = [RunControl.create(tmp_path) for _ in futures]
    for future, control in zip(futures, controls, strict=True):
        progress.track(future)
        progress.follow(future, control)
        future.set_running_or_notify_cancel()
    assert progress.line() == "experiments: 0 queued, 3 running, 0 done"  # none told yet
    with using_control(controls[0]):
        report_progress(0.12, 0.3, force=True)
    assert progress.line() == "experiments: 0 queued, 3 running (120 of 300 ms simulated), 0 done"
    controls[1].report(0.075, 0.3)
    assert progress.line() == "experiments: 0 queued, 3 running (40%, 25%), 0 done"
    assert controls[1].fraction() == 0.25
    futures[0].set_result(0)
    assert progress.line() == "experiments: 0 queued, 2 running (75 of 300 ms simulated), 1 done"


def test_reporting_outside_a_run_does_nothing_and_is_rate_limited(tmp_path: Path) -> None:
    report_progress(1.0, 2.0)  # no control: nothing happens, nothing raises
    control = RunControl.create(tmp_path)
    with using_control(control):
        report_progress(0.1, 1.0, force=True)
        report_progress(0.2, 1.0)  # within 0.2 s of the last: not written
    assert control.progress() == (0.1, 1.0)
    control.remove()
    control.report(0.3, 1.0)  # its folder gone (the server dropped the run): no error
    assert control.progress() is None
