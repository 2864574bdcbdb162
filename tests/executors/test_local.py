"""The local process pool: runs in other processes, survives a crashing simulation."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool

import pytest

from geppetto_dev.executors import LocalExecutor, cancel, make_executor
from tests.executors import jobs


@pytest.fixture
def pool() -> Iterator[LocalExecutor]:
    executor = LocalExecutor(1)
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)


def test_runs_in_another_process(pool: LocalExecutor) -> None:
    assert pool.submit(jobs.pid_after, 0).result(timeout=60) != os.getpid()


def test_workers_run_at_a_lower_priority_than_the_server(pool: LocalExecutor) -> None:
    if hasattr(os, "SCHED_IDLE"):
        # Linux: only on cores nothing else wants, preempted as soon as the server wakes.
        assert pool.submit(jobs.scheduling_policy).result(timeout=60) == os.SCHED_IDLE
    else:
        assert pool.submit(jobs.niceness).result(timeout=60) == os.nice(0) + 10


def test_a_crashing_run_fails_alone_and_the_next_one_runs(pool: LocalExecutor) -> None:
    crashed = pool.submit(jobs.crash)
    with pytest.raises(BrokenProcessPool):
        crashed.result(timeout=60)
    assert pool.submit(jobs.pid_after, 0).result(timeout=60) != os.getpid()


def test_an_exception_reaches_the_future(pool: LocalExecutor) -> None:
    with pytest.raises(ValueError, match="bad parameter"):
        pool.submit(jobs.fail, "bad parameter").result(timeout=60)


def test_a_queued_run_can_be_cancelled(pool: LocalExecutor) -> None:
    first = pool.submit(jobs.pid_after, 1.0)
    queued = [pool.submit(jobs.pid_after, 0) for _ in range(3)]
    assert cancel(pool, queued[-1])  # one worker, so the last is still waiting
    with pytest.raises(CancelledError):
        queued[-1].result()
    first.result(timeout=60)


def test_default_is_the_local_pool() -> None:
    executor = make_executor(None)
    assert isinstance(executor, LocalExecutor) and executor.max_workers >= 1
    executor.shutdown()
