"""Every run in a fresh process: real child interpreters, a real process pool."""

from __future__ import annotations

import os
import pickle
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.executors import LocalExecutor
from geppetto_dev.executors.control import RunControl
from geppetto_dev.simulators import RunStopped, SimulationError, SimulationJob, run_isolated
from tests.simulators.simulators import Counting, Crashing, Failing

JOB = SimulationJob("model.nml", timestep=1e-4, length=1e-3)


def test_each_run_has_a_process_of_its_own() -> None:
    first = run_isolated(Counting(), JOB)
    second = run_isolated(Counting(), JOB)
    pids = {first["pid"][0], second["pid"][0]}
    assert len(pids) == 2 and os.getpid() not in pids
    # Module state of the first run is not seen by the second.
    assert first["runs"] == second["runs"] == [1.0]
    assert len(first["time"].value) == 11 and first["time"].unit == "s"


def test_a_worker_with_threads_starts_a_new_interpreter_instead_of_forking() -> None:
    with ThreadPoolExecutor(2) as pool:  # a thread pool, as a Dask worker has
        results = pool.submit(run_isolated, Counting(), JOB).result(timeout=60)
    assert results["spawned"] == [1.0] and results["runs"] == [1.0]
    with ThreadPoolExecutor(1) as pool:
        with pytest.raises(SimulationError, match="ended with signal SIGKILL"):
            pool.submit(run_isolated, Crashing(), JOB).result(timeout=60)
        with pytest.raises(SimulationError) as info:
            pool.submit(run_isolated, Failing(), JOB).result(timeout=60)
        assert info.value.hint == "give it a model it knows"


def test_a_run_past_its_timeout_is_stopped() -> None:
    job = SimulationJob("model.nml", timestep=1e-4, length=1e-3, parameters={"sleep": 30.0})
    started = time.monotonic()
    with pytest.raises(SimulationError, match=r"longer than 0\.5 s and was stopped"):
        run_isolated(Counting(), job, timeout=0.5)
    assert time.monotonic() - started < 10


def test_a_simulation_error_keeps_its_hint() -> None:
    with pytest.raises(SimulationError) as info:
        run_isolated(Failing(), JOB)
    assert info.value.message == "cannot run model.nml"
    assert info.value.hint == "give it a model it knows"


def test_a_bug_in_a_simulator_is_reported_with_its_type() -> None:
    job = SimulationJob("m.nml", parameters={"bug": 1.0})
    with pytest.raises(SimulationError, match="failing: ZeroDivisionError: division by zero"):
        run_isolated(Failing(), job)


def test_a_crashed_simulation_is_an_error_not_a_hang() -> None:
    with pytest.raises(SimulationError, match="ended with signal SIGKILL"):
        run_isolated(Crashing(), JOB)


def test_errors_and_jobs_cross_process_boundaries() -> None:
    error = pickle.loads(pickle.dumps(SimulationError("m", "h")))
    assert (error.message, error.hint) == ("m", "h")
    assert pickle.loads(pickle.dumps(JOB)) == JOB


def test_runs_submitted_to_the_process_pool_are_isolated_too() -> None:
    executor = LocalExecutor(1)
    try:
        futures = [executor.submit(run_isolated, Counting(), JOB) for _ in range(3)]
        results = [f.result(timeout=60) for f in futures]
    finally:
        executor.shutdown()
    assert len({r["pid"][0] for r in results}) == 3
    # The pool's single-threaded worker forks each run rather than start an interpreter.
    assert all(r["runs"] == [1.0] and r["spawned"] == [0.0] for r in results)


def _children(pid: int) -> set[int]:
    """Live processes whose parent is `pid` (a zombie has ended and is left out)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry))
    return found


SLOW = SimulationJob("model.nml", timestep=1e-4, length=1e-3, parameters={"sleep": 60.0})


@pytest.mark.parametrize("where", ["a pool's worker (forks)", "a thread (spawns)"])
def test_a_stop_kills_the_run_in_its_process(tmp_path: Path, where: str) -> None:
    control = RunControl.create(tmp_path)
    before = _children(os.getpid())  # whatever this process had started already
    if where.startswith("a pool"):
        executor: Any = LocalExecutor(1)
        future = executor.submit(run_isolated, Counting(), SLOW, control=control)
        owner = lambda: set(executor._pool._processes)  # noqa: E731 (the worker's pid)
    else:
        executor = ThreadPoolExecutor(1)
        future = executor.submit(run_isolated, Counting(), SLOW, control=control)
        owner = lambda: {os.getpid()}  # noqa: E731
    try:
        deadline = time.monotonic() + 60
        running: set[int] = set()
        while not running and time.monotonic() < deadline:  # the run's process has started
            time.sleep(0.05)
            running = _children_of_any(owner()) - before if not future.done() else set()
        assert running, "the run never started"
        control.stop()
        started = time.monotonic()
        with pytest.raises(RunStopped, match="counting: the run was stopped"):
            future.result(timeout=30)
        assert time.monotonic() - started < 10  # not the 60 s the run would have taken
        assert not running & _children_of_any(owner()), "the run's process outlived the stop"
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _children_of_any(pids: set[int]) -> set[int]:
    return {c for pid in pids for c in _children(pid)}
