"""The default executor: a pool of local processes, renewed when one of them dies.

Simulations are CPU-bound and may crash (a segfault in a native simulator, `os._exit`, the
OOM killer): in separate processes they neither hold the GIL the server's event loop needs nor
take the server down. Workers are started with `spawn`, never forked, because the server has
threads (forking a threaded process can deadlock the child). When a worker dies the standard
pool is broken for good (every submit raises); this one starts a new pool on the next submit.
Workers run at the lowest priority (SCHED_IDLE on Linux, else `nice` 10): simulations take
every core that is idle, yet the server's event loop is scheduled first, so WebSocket round
trips stay close to idle ones.

Stopping is the server's business: workers ignore SIGINT and SIGTERM (Ctrl-C reaches the whole
process group, a stop signal may reach a server's group); a worker is started with both blocked,
as the standard library starts its resource tracker, so one arriving while it starts up waits
and is then ignored. `shutdown(cancel_futures=True)`
ends the runs in progress itself: their futures end cancelled (the caller sees a stop, not a
failed simulation), the workers are killed and reaped, and the pool's queues are released, so
no BrokenProcessPool is reported and no semaphore is left to the resource tracker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

__all__ = ["LocalExecutor", "default_workers", "lower_priority", "start_worker"]

# The signals that stop a server (Ctrl-C, `kill`), which its workers leave to it.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

P = ParamSpec("P")
T = TypeVar("T")


def default_workers() -> int:
    """One process per core, at least one."""
    return max(1, os.cpu_count() or 1)


def lower_priority(increment: int) -> None:
    """Runs first in each worker process.

    On Linux, SCHED_IDLE: the kernel runs a worker only on a core nothing else wants and
    preempts it at once when the server wakes up, so a WebSocket round trip does not wait for a
    time slice of a simulation (a nice level alone still made it wait a few milliseconds).
    Elsewhere, a nice level.
    """
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    # No nice() on this platform, or not allowed: normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.nice(increment)


def start_worker(increment: int) -> None:
    """Runs first in each worker process: deaf to stop signals, at a low priority."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)  # also drops one that came while it started
    with contextlib.suppress(AttributeError, OSError):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    lower_priority(increment)


@contextlib.contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """In this thread, for a moment: a worker it starts inherits the mask."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    except (AttributeError, OSError):  # no signal masks here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _Run(Future[T]):
    """The caller's future of one run, following the pool's.

    It stays cancellable while the run is in progress (it reports running() from the pool's
    future), so a shutdown can end it as cancelled.
    """

    def __init__(self, inner: Future[T]) -> None:
        super().__init__()
        self.inner = inner
        inner.add_done_callback(self._follow)

    def running(self) -> bool:
        return not self.done() and self.inner.running()

    def _follow(self, inner: Future[T]) -> None:
        if inner.cancelled():
            self.cancel()
            return
        error = inner.exception()
        with contextlib.suppress(InvalidStateError):  # cancelled by a shutdown meanwhile
            if error is None:
                self.set_result(inner.result())
            else:
                self.set_exception(error)


class LocalExecutor(Executor):
    def __init__(self, max_workers: int | None = None, *, nice: int = 10) -> None:
        self.max_workers = max_workers or default_workers()
        self.nice = nice
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._shutdown = False
        self._runs: set[Future[Any]] = set()

    def _new_pool(self) -> ProcessPoolExecutor:
        spawn = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(
            self.max_workers, mp_context=spawn, initializer=start_worker, initargs=(self.nice,)
        )

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._pool is None:
                self._pool = self._new_pool()
            with _stop_signals_blocked():  # submit may start a worker
                try:
                    inner = self._pool.submit(fn, *args, **kwargs)
                except BrokenProcessPool:
                    # A worker died; the futures it had failed with BrokenProcessPool. Afresh.
                    self._pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
                    inner = self._pool.submit(fn, *args, **kwargs)
            run = _Run(inner)
            self._runs.add(run)
        run.add_done_callback(self._forget)
        return run

    def _forget(self, run: Future[Any]) -> None:
        with self._lock:
            self._runs.discard(run)

    def cancel(self, future: Future[Any]) -> bool:
        """Cancel a run that has not started; a started one keeps its process until it ends
        (its result is then ignored by the caller)."""
        if isinstance(future, _Run):
            return future.inner.cancel()  # its future follows
        return future.cancel()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """With `cancel_futures`, runs in progress end too: cancelled, their workers killed and
        reaped before this returns (a killed worker exits at once), whatever `wait` says."""
        with self._lock:
            self._shutdown = True
            pool, self._pool = self._pool, None
            runs, self._runs = list(self._runs), set()
        if pool is None:
            return
        if not cancel_futures:
            pool.shutdown(wait=wait)
            return
        for run in runs:
            run.cancel()
        # The pool's own handles on its workers: it has no way to stop a running call.
        workers = list((getattr(pool, "_processes", None) or {}).values())
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"a local pool of {self.max_workers} processes"
