"""The progress line counts queued, running and done runs, and says so once they settle."""

from __future__ import annotations

import io
import time
from concurrent.futures import Future

from geppetto_dev.executors import Progress


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
