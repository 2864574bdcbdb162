"""Each run in a fresh Python process, whatever executor the run was submitted to.

NEURON's state is process-global (sections, mechanisms, `h.dt`): a second run in the same
process would see the first one's cells. So the function an executor runs, `run_isolated`,
starts a new interpreter for the simulation itself and waits for its results. That works the
same in a local process pool, a thread pool and a Dask worker (whose daemon processes may not
use multiprocessing), costs one interpreter start (~0.1 s here) and leaves the executor's own
workers clean. The child dies with its parent (PR_SET_PDEATHSIG), so a killed worker leaves no
simulation behind.

The job goes to the child's stdin and the results come back through a copy of its original
stdout; the simulator's own prints (NEURON writes to fd 1) are moved to stderr, whose tail
explains a crash.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Mapping
from typing import Any

from geppetto_dev.procs.groups import child_env, set_parent_death_signal
from geppetto_dev.simulators.job import SimulationError, SimulationJob
from geppetto_dev.simulators.registry import Simulator

__all__ = ["run_here", "run_isolated"]

_STDERR_TAIL = 2000


def run_isolated(
    simulator: Simulator, job: SimulationJob, *, timeout: float | None = None
) -> dict[str, Any]:
    """Run `simulator` on `job` in a new process; its results, or a SimulationError."""
    payload = pickle.dumps((list(sys.path), pickle.dumps((simulator, job))))
    env = child_env()
    env.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev.simulators.isolation"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = proc.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise SimulationError(
            f"{simulator.id}: the run took longer than {timeout} s and was stopped",
            "shorten the simulation or give it more time",
        ) from None
    except BaseException:  # interrupted while waiting: never leave the child running
        proc.kill()
        proc.wait()
        raise
    tail = err.decode(errors="replace")[-_STDERR_TAIL:].strip()
    if proc.returncode != 0 or not out:
        code = proc.returncode
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        raise SimulationError(
            f"{simulator.id}: the simulation process ended with {how}"
            + (f": {tail}" if tail else ""),
            "see the simulator's output above",
        )
    reply = pickle.loads(out)
    if reply[0] == "ok":
        results: dict[str, Any] = reply[1]
        return results
    _, message, hint = reply
    raise SimulationError(message, hint)


def run_here(simulator: Simulator, job: SimulationJob) -> dict[str, Any]:
    """Run in this process (for a worker that is itself fresh, or a debugger)."""
    return dict(simulator.run(job))


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
