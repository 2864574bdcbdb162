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

Either child leads a process group of its own and dies with its parent (PR_SET_PDEATHSIG), so
a killed worker leaves no simulation behind. While it waits, the worker polls the run's control
(see `executors.control`): a stop kills the child's whole group (the compilers and Java it may
have started too). Results come back pickled through a pipe (the child's original stdout);
what the simulator prints (NEURON writes to fd 1) goes to stderr.

`call_isolated` runs a project's own run hook the same way where the worker may fork, so a
stop reaches it too; elsewhere it runs in place.
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
from collections.abc import Callable, Mapping
from concurrent.futures.process import _RemoteTraceback
from typing import Any

from geppetto_dev.executors.control import RunControl, current_control, using_control
from geppetto_dev.procs.groups import child_env, set_parent_death_signal
from geppetto_dev.simulators.job import SimulationError, SimulationJob
from geppetto_dev.simulators.registry import Simulator

__all__ = ["RunStopped", "call_isolated", "run_here", "run_isolated"]

_STDERR_TAIL = 2000
# How often a waiting worker looks at the run's control for a stop.
_POLL_S = 0.1
# Numerical libraries imported by the preload start no thread pools (a forked child would
# inherit their locks); a worker that has threads anyway spawns instead of forking.
_SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

Reply = tuple[Any, ...]


class RunStopped(SimulationError):
    """The run was stopped from the server (its experiment deleted or stopped)."""

    def __init__(self, label: str) -> None:
        super().__init__(f"{label}: the run was stopped", "run it again to start it anew")
        self.label = label

    def __reduce__(self) -> tuple[type[RunStopped], tuple[str]]:  # type: ignore[override]
        return (type(self), (self.label,))


def run_isolated(
    simulator: Simulator,
    job: SimulationJob,
    *,
    timeout: float | None = None,
    control: RunControl | None = None,
) -> dict[str, Any]:
    """Run `simulator` on `job` in a new process; its results, or a SimulationError."""
    control = control or current_control()
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    if _may_fork():
        for name, value in _SINGLE_THREADED.items():
            os.environ.setdefault(name, value)
        for module in getattr(simulator, "preload", ()):
            importlib.import_module(module)
        if _may_fork():
            return _result(_forked(lambda: _reply(simulator, job), simulator.id, timeout, control))
    return _result(_spawned(simulator, job, timeout, control))


def call_isolated(
    func: Callable[[Any], Any],
    argument: Any,
    *,
    label: str,
    timeout: float | None = None,
    control: RunControl | None = None,
) -> Any:
    """`func(argument)` in a forked child where this process may fork (else here, with
    `control` current); what it returns, or what it raised."""
    if not _may_fork():
        with using_control(control):
            return func(argument)
    reply = _forked(lambda: _call_reply(func, argument), label, timeout, control)
    if reply[0] == "raise":
        # Its traceback as text, as concurrent.futures keeps a worker's (and the tracebacks
        # shown to users know to trim).
        raise reply[1] from _RemoteTraceback(f'\n"""\n{reply[2]}"""')  # type: ignore[arg-type]
    return reply[1]


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


def _timed_out(label: str, timeout: float | None) -> SimulationError:
    return SimulationError(
        f"{label}: the run took longer than {timeout} s and was stopped",
        "shorten the simulation or give it more time",
    )


def _ended(label: str, code: int, tail: str) -> SimulationError:
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
    return SimulationError(
        f"{label}: the simulation process ended with {how}" + (f": {tail}" if tail else ""),
        "see the simulator's output above",
    )


def _result(reply: Reply) -> dict[str, Any]:
    if reply[0] == "ok":
        results: dict[str, Any] = reply[1]
        return results
    _, message, hint = reply
    raise SimulationError(message, hint)


def _kill_group(pid: int) -> None:
    """SIGKILL the child's process group (whatever it started), or the child alone."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _wait_step(deadline: float | None) -> float:
    if deadline is None:
        return _POLL_S
    return max(0.0, min(_POLL_S, deadline - time.monotonic()))


def _check(
    pid: int, label: str, deadline: float | None, timeout: float | None, control: RunControl | None
) -> None:
    """Kill the child and raise if the run was stopped or is past its time."""
    if control is not None and control.stopped:
        _kill_group(pid)
        raise RunStopped(label)
    if deadline is not None and time.monotonic() >= deadline:
        _kill_group(pid)
        raise _timed_out(label, timeout)


def _forked(
    task: Callable[[], Reply], label: str, timeout: float | None, control: RunControl | None
) -> Reply:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, write the reply, leave without any cleanup of the parent's
        code = 1
        try:
            os.close(read_end)
            os.setpgid(0, 0)
            set_parent_death_signal(signal.SIGKILL)
            os.dup2(2, 1)
            with using_control(control):
                reply = task()
            with os.fdopen(write_end, "wb") as out:
                out.write(_pickled(reply))
            code = 0
        finally:
            os._exit(code)
    with contextlib.suppress(OSError):  # the child may have done it (or exited) already
        os.setpgid(pid, pid)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([read_end], [], [], _wait_step(deadline))
            if not ready:
                _check(pid, label, deadline, timeout, control)
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        _kill_group(pid)
        raise
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not chunks:
        raise _ended(label, code, "")
    answer: Reply = pickle.loads(b"".join(chunks))
    return answer


def _spawned(
    simulator: Simulator, job: SimulationJob, timeout: float | None, control: RunControl | None
) -> Reply:
    payload = pickle.dumps((list(sys.path), pickle.dumps((simulator, job, control))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev.simulators.isolation"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
        start_new_session=True,  # a process group of its own, which a stop kills whole
    )
    deadline = None if timeout is None else time.monotonic() + timeout
    given: bytes | None = payload
    try:
        while True:
            try:
                out, err = proc.communicate(given, timeout=_wait_step(deadline) or _POLL_S)
                break
            except subprocess.TimeoutExpired:
                given = None  # sent with the first call; later calls only read
                _check(proc.pid, simulator.id, deadline, timeout, control)
    except BaseException:  # stopped, timed out or interrupted: never leave the child running
        _kill_group(proc.pid)
        proc.communicate()
        raise
    if proc.returncode != 0 or not out:
        tail = err.decode(errors="replace")[-_STDERR_TAIL:].strip()
        raise _ended(simulator.id, proc.returncode, tail)
    reply: Reply = pickle.loads(out)
    return reply


def _pickled(reply: Reply) -> bytes:
    """The reply as bytes; an exception that does not pickle is sent as a RuntimeError."""
    try:
        return pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        if reply[0] != "raise":
            raise
        exc = reply[1]
        return pickle.dumps(("raise", RuntimeError(f"{type(exc).__name__}: {exc}"), reply[2]))


def _reply(simulator: Simulator, job: SimulationJob) -> Reply:
    try:
        results: Mapping[str, Any] = simulator.run(job)
        return ("ok", dict(results))
    except SimulationError as exc:
        return ("error", exc.message, exc.hint)
    except Exception as exc:  # a bug or a model the simulator did not expect: keep the trace
        traceback.print_exc()
        return ("error", f"{simulator.id}: {type(exc).__name__}: {exc}", "")


def _call_reply(func: Callable[[Any], Any], argument: Any) -> Reply:
    try:
        return ("ok", func(argument))
    except Exception as exc:  # re-raised in the worker, as if the hook had run there
        return ("raise", exc, "".join(traceback.format_exception(exc)))


def main() -> int:
    set_parent_death_signal(signal.SIGKILL)
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the simulator's prints go to stderr, never into the results
    paths, data = pickle.load(sys.stdin.buffer)
    sys.path[:0] = [p for p in paths if p not in sys.path]
    try:
        simulator, job, control = pickle.loads(data)
    except Exception as exc:
        reply: Reply = (
            "error",
            f"the simulator cannot be loaded in a worker process: {exc}",
            "define it at module level in an importable module",
        )
    else:
        with using_control(control):
            reply = _reply(simulator, job)
    pickle.dump(reply, results, protocol=pickle.HIGHEST_PROTOCOL)
    results.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
