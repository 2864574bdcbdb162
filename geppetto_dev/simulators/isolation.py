"""Each run in a fresh process, whatever executor the run was submitted to.

NEURON's state is process-global (sections, mechanisms, `h.dt`): a second run in the same
process would see the first one's cells. So the function an executor runs, `run_isolated`,
never simulates in its own process:

- in a single-threaded worker on Linux (a local process pool's worker), it imports what the
  simulator names in `preload` once (NEURON, the NeuroML reader: ~0.3 s), never builds
  anything itself, and forks a child per run: a run starts in milliseconds with a NEURON that
  has never seen a cell;
- elsewhere (a thread pool, a Dask worker and its threads, macOS), it starts a new Python
  interpreter per run (`python -m geppetto_dev.simulators.isolation`), whose daemon processes
  need no multiprocessing.

Either child dies with its parent (PR_SET_PDEATHSIG), so a killed worker leaves no simulation
behind. Results come back pickled through a pipe (the child's original stdout); what the
simulator prints (NEURON writes to fd 1) goes to stderr.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import select
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping
from typing import Any

from geppetto_dev.procs.groups import child_env, set_parent_death_signal
from geppetto_dev.simulators.job import SimulationError, SimulationJob
from geppetto_dev.simulators.registry import Simulator

__all__ = ["run_here", "run_isolated"]

_STDERR_TAIL = 2000
# Numerical libraries imported by the preload start no thread pools (a forked child would
# inherit their locks); a worker that has threads anyway spawns instead of forking.
_SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_isolated(
    simulator: Simulator, job: SimulationJob, *, timeout: float | None = None
) -> dict[str, Any]:
    """Run `simulator` on `job` in a new process; its results, or a SimulationError."""
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    if _may_fork():
        for name, value in _SINGLE_THREADED.items():
            os.environ.setdefault(name, value)
        for module in getattr(simulator, "preload", ()):
            importlib.import_module(module)
        if _may_fork():
            return _forked(simulator, job, timeout)
    return _spawned(simulator, job, timeout)


def run_here(simulator: Simulator, job: SimulationJob) -> dict[str, Any]:
    """Run in this process (for a worker that is itself fresh, or a debugger)."""
    return dict(simulator.run(job))


def _may_fork() -> bool:
    """Only a process with one thread forks safely (no lock held by a thread left behind)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _timed_out(simulator: Simulator, timeout: float | None) -> SimulationError:
    return SimulationError(
        f"{simulator.id}: the run took longer than {timeout} s and was stopped",
        "shorten the simulation or give it more time",
    )


def _ended(simulator: Simulator, code: int, tail: str) -> SimulationError:
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
    return SimulationError(
        f"{simulator.id}: the simulation process ended with {how}" + (f": {tail}" if tail else ""),
        "see the simulator's output above",
    )


def _result(reply: tuple[Any, ...]) -> dict[str, Any]:
    if reply[0] == "ok":
        results: dict[str, Any] = reply[1]
        return results
    _, message, hint = reply
    raise SimulationError(message, hint)


def _forked(simulator: Simulator, job: SimulationJob, timeout: float | None) -> dict[str, Any]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, write the reply, leave without any cleanup of the parent's
        code = 1
        try:
            os.close(read_end)
            set_parent_death_signal(signal.SIGKILL)
            os.dup2(2, 1)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(_reply(simulator, job), out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([read_end], [], [], wait)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                raise _timed_out(simulator, timeout)
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not chunks:
        raise _ended(simulator, code, "")
    return _result(pickle.loads(b"".join(chunks)))


def _spawned(simulator: Simulator, job: SimulationJob, timeout: float | None) -> dict[str, Any]:
    payload = pickle.dumps((list(sys.path), pickle.dumps((simulator, job))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev.simulators.isolation"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    try:
        out, err = proc.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise _timed_out(simulator, timeout) from None
    except BaseException:  # interrupted while waiting: never leave the child running
        proc.kill()
        proc.wait()
        raise
    if proc.returncode != 0 or not out:
        tail = err.decode(errors="replace")[-_STDERR_TAIL:].strip()
        raise _ended(simulator, proc.returncode, tail)
    return _result(pickle.loads(out))


def _reply(simulator: Simulator, job: SimulationJob) -> tuple[Any, ...]:
    try:
        results: Mapping[str, Any] = simulator.run(job)
        return ("ok", dict(results))
    except SimulationError as exc:
        return ("error", exc.message, exc.hint)
    except Exception as exc:  # a bug or a model the simulator did not expect: keep the trace
        traceback.print_exc()
        return ("error", f"{simulator.id}: {type(exc).__name__}: {exc}", "")


def main() -> int:
    set_parent_death_signal(signal.SIGKILL)
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the simulator's prints go to stderr, never into the results
    paths, data = pickle.load(sys.stdin.buffer)
    sys.path[:0] = [p for p in paths if p not in sys.path]
    try:
        simulator, job = pickle.loads(data)
    except Exception as exc:
        reply: tuple[Any, ...] = (
            "error",
            f"the simulator cannot be loaded in a worker process: {exc}",
            "define it at module level in an importable module",
        )
    else:
        reply = _reply(simulator, job)
    pickle.dump(reply, results, protocol=pickle.HIGHEST_PROTOCOL)
    results.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
