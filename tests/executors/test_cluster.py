"""The Dask executor against a real scheduler and two real workers on loopback."""

from __future__ import annotations

import os
from concurrent.futures import CancelledError, wait

import pytest

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.executors import cancel, describe, make_executor
from geppetto_dev.executors.cluster import DaskExecutor
from tests.executors import jobs
from tests.fixtures.dask_cluster import DaskCluster
from tests.support import wait_until


def test_runs_execute_on_the_workers(cluster: DaskCluster) -> None:
    executor = make_executor(cluster.address)
    try:
        assert isinstance(executor, DaskExecutor)
        futures = [executor.submit(jobs.pid_after, 0.2) for _ in range(4)]
        pids = {f.result(timeout=60) for f in futures}
        assert os.getpid() not in pids
        assert pids <= cluster.worker_pids()
        assert "Dask cluster at tcp://127.0.0.1:" in describe(executor)
    finally:
        executor.shutdown()


def test_running_is_reported_and_a_running_task_is_cancelled(cluster: DaskCluster) -> None:
    executor = make_executor(cluster.address)
    try:
        slow = executor.submit(jobs.pid_after, 3)
        wait_until(slow.running)
        assert cancel(executor, slow)
        with pytest.raises(CancelledError):
            slow.result(timeout=30)
    finally:
        executor.shutdown(cancel_futures=True)


def test_errors_come_back_as_the_original_exception(cluster: DaskCluster) -> None:
    executor = make_executor(cluster.address)
    try:
        futures = [executor.submit(jobs.fail, "diverged"), executor.submit(jobs.pid_after, 0)]
        wait(futures, timeout=60)
        with pytest.raises(ValueError, match="diverged"):
            futures[0].result()
        assert futures[1].result() in cluster.worker_pids()
    finally:
        executor.shutdown()


def test_an_unreachable_scheduler_is_one_clear_error() -> None:
    with pytest.raises(GeppettoDevError) as info:
        make_executor("tcp://127.0.0.1:1", connect_timeout=2)
    assert "cannot reach the Dask scheduler" in info.value.message
