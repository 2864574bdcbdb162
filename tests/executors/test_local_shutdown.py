"""Shutting the local pool down while a run is in progress: it ends as a stop, not a failure.

What a server's Ctrl-C relies on (tests/test_serve_stop.py runs the whole thing): the run's
future is cancelled, the worker is killed and reaped before shutdown returns, and a stop signal
sent to the worker is ignored (the server decides when its workers stop).
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import Future
from typing import Any

from geppetto_dev.executors import LocalExecutor, Progress
from tests.executors import jobs
from tests.support import children, pid_alive, wait_until


def running(pool: LocalExecutor) -> tuple[Future[Any], int]:
    """A run sleeping a minute in the pool, and its worker's pid, once it runs."""
    future = pool.submit(jobs.pid_after, 60)
    wait_until(future.running, 60, "the run to start")
    wait_until(lambda: _workers(), 60, "a worker")
    (worker,) = _workers()
    return future, worker


def _workers() -> list[int]:
    return [
        pid for pid in children(os.getpid()) if pid_alive(pid) and b"spawn_main" in _cmdline(pid)
    ]


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def test_a_run_in_progress_ends_cancelled_and_its_worker_is_gone() -> None:
    pool = LocalExecutor(1)
    progress = Progress()
    future, worker = running(pool)
    progress.track(future)
    started = time.monotonic()
    pool.shutdown(wait=False, cancel_futures=True)
    assert time.monotonic() - started < 10  # not the minute the run would take
    assert future.cancelled()
    assert not pid_alive(worker)
    assert progress.line() == "experiments: 0 queued, 0 running, 1 done (1 stopped)"


def test_workers_ignore_stop_signals_meant_for_their_server() -> None:
    pool = LocalExecutor(1)
    try:
        future, worker = running(pool)
        for sig in (signal.SIGINT, signal.SIGTERM):
            os.kill(worker, sig)
        time.sleep(0.5)
        assert pid_alive(worker) and future.running() and not future.done()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    assert not pid_alive(worker)


def test_a_finished_run_keeps_its_result_and_a_queued_one_is_cancelled() -> None:
    pool = LocalExecutor(1)
    done = pool.submit(jobs.pid_after, 0)
    assert done.result(timeout=60) != os.getpid()
    _running, _worker = running(pool)
    queued = pool.submit(jobs.pid_after, 0)
    pool.shutdown(wait=True, cancel_futures=True)
    assert done.result() != os.getpid() and queued.cancelled()
