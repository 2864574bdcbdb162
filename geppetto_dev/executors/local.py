"""The default executor: a pool of local processes, renewed when one of them dies.

Simulations are CPU-bound and may crash (a segfault in a native simulator, `os._exit`, the
OOM killer): in separate processes they neither hold the GIL the server's event loop needs nor
take the server down. Workers are started with `spawn`, never forked, because the server has
threads (forking a threaded process can deadlock the child). When a worker dies the standard
pool is broken for good (every submit raises); this one starts a new pool on the next submit.
Workers run at the lowest priority (SCHED_IDLE on Linux, else `nice` 10): simulations take
every core that is idle, yet the server's event loop is scheduled first, so WebSocket round
trips stay close to idle ones.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

__all__ = ["LocalExecutor", "default_workers", "lower_priority"]

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


class LocalExecutor(Executor):
    def __init__(self, max_workers: int | None = None, *, nice: int = 10) -> None:
        self.max_workers = max_workers or default_workers()
        self.nice = nice
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._shutdown = False

    def _new_pool(self) -> ProcessPoolExecutor:
        spawn = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(
            self.max_workers, mp_context=spawn, initializer=lower_priority, initargs=(self.nice,)
        )

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._pool is None:
                self._pool = self._new_pool()
            try:
                return self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:
                # A worker died; the futures it had failed with BrokenProcessPool. Start afresh.
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                return self._pool.submit(fn, *args, **kwargs)

    def cancel(self, future: Future[Any]) -> bool:
        """Cancel a run that has not started; a started one keeps its process until it ends
        (its result is then ignored by the caller)."""
        return future.cancel()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def describe(self) -> str:
        return f"a local pool of {self.max_workers} processes"
