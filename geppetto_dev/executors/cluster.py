"""Experiments on a Dask distributed cluster, behind the same `concurrent.futures.Executor`.

Only this module imports dask (the `geppetto-dev[dask]` extra). The scheduler may be on this
machine, a workstation, or an HPC cluster's login node (dask-jobqueue): the server only needs
its address. Unlike `Client.get_executor()`, whose futures never report running, this one marks
a future running as soon as the scheduler has given the task to a worker, so the clients see
RUNNING, and `cancel()` also cancels a task that is running.

Runs outlive the server that submitted them: each task is published on the scheduler under a
name (`task_of`), which keeps it alive when this client goes away (a restart, a crash), and a
server started later takes it over by that name (`adopt`). A task is unpublished once its result
has been read.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future
from typing import Any, ParamSpec, TypeVar

from distributed import Client
from distributed import Future as DaskFuture

__all__ = ["DaskExecutor"]

P = ParamSpec("P")
T = TypeVar("T")

_POLL_S = 0.25
_PREFIX = "geppetto-run-"


class DaskExecutor(Executor):
    def __init__(self, address: str, *, connect_timeout: float = 10.0) -> None:
        self.address = address
        self.client = Client(address, set_as_default=False, timeout=connect_timeout)
        self._lock = threading.Lock()
        # Submitted, not yet started: key -> (dask future, our future).
        self._waiting: dict[str, tuple[DaskFuture[Any], Future[Any]]] = {}
        self._tasks: dict[Future[Any], DaskFuture[Any]] = {}
        self._names: dict[Future[Any], str] = {}
        self._wake = threading.Event()
        self._closed = False
        self._watcher = threading.Thread(target=self._watch, name="dask-status", daemon=True)
        self._watcher.start()

    @property
    def dashboard_link(self) -> str | None:
        try:
            return str(self.client.dashboard_link)
        except Exception:  # no dashboard (bokeh missing on the scheduler)
            return None

    keeps_runs = True  # tasks go on when this server stops; the next one adopts them

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if self._closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        # pure=False: two runs of one experiment are two tasks, never one cached result.
        task = self.client.submit(fn, *args, pure=False, **kwargs)
        name = f"{_PREFIX}{task.key}"
        self.client.publish_dataset(task, name=name)
        return self._follow(task, name)

    def task_of(self, future: Future[Any]) -> str | None:
        """The name the task of `future` is published under on the scheduler."""
        with self._lock:
            return self._names.get(future)

    def adopt(self, name: str) -> Future[Any] | None:
        """A future for a task another client published as `name` (None once it is gone)."""
        if self._closed or not name.startswith(_PREFIX):
            return None
        try:
            task = self.client.get_dataset(name)
        except (KeyError, ValueError):
            return None
        if not isinstance(task, DaskFuture) or task.status in ("lost", "cancelled"):
            return None
        return self._follow(task, name)

    def _follow(self, task: DaskFuture[Any], name: str) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            self._waiting[str(task.key)] = (task, future)
            self._tasks[future] = task
            self._names[future] = name
        future.add_done_callback(self._cancel_task_of)
        task.add_done_callback(lambda t: self._finish(t, future))
        self._wake.set()
        return future

    def _forget(self, future: Future[Any], task: DaskFuture[Any]) -> None:
        """Unpublish a finished or cancelled task (the scheduler may then release it)."""
        with self._lock:
            name = self._names.pop(future, None)
        if name is None or self._closed:
            return
        # Gone already, or the scheduler is unreachable: nothing to keep either way.
        with contextlib.suppress(Exception):
            self.client.unpublish_dataset(name)

    def cancel(self, future: Future[Any]) -> bool:
        """Cancel the task, running or not."""
        with self._lock:
            task = self._tasks.get(future)
        if task is None:
            return False
        if future.cancel():
            return True  # _cancel_task_of cancels the task
        # Running: forced, as the published name holds it too; the future ends with
        # CancelledError once the task is gone.
        self.client.cancel([task], force=True)
        return True

    def _cancel_task_of(self, future: Future[Any]) -> None:
        with self._lock:
            task = self._tasks.get(future)
        if future.cancelled() and task is not None and not task.done():
            self.client.cancel([task], force=True)

    def _finish(self, task: DaskFuture[Any], future: Future[Any]) -> None:
        with self._lock:
            self._waiting.pop(str(task.key), None)
            self._tasks.pop(future, None)
        try:
            self._set_outcome(task, future)
        finally:
            self._forget(future, task)

    def _set_outcome(self, task: DaskFuture[Any], future: Future[Any]) -> None:
        if future.done():
            return
        try:
            if task.status == "finished":
                future.set_result(task.result())
            elif task.status == "cancelled":
                if not future.cancel():
                    future.set_exception(CancelledError())
            else:
                exc = task.exception()
                future.set_exception(exc if isinstance(exc, BaseException) else RuntimeError(exc))
        except BaseException as exc:  # the result could not be fetched (scheduler gone)
            if not future.done():
                future.set_exception(exc)

    def _watch(self) -> None:
        """Mark futures running once the scheduler has handed their task to a worker."""
        while not self._closed:
            self._wake.wait(_POLL_S)
            self._wake.clear()
            with self._lock:
                waiting = dict(self._waiting)
            if not waiting:
                self._wake.wait()
                continue
            try:
                processing = self.client.processing()
            except Exception:  # a closing client or a scheduler restart: next time
                continue
            started = {str(key) for keys in processing.values() for key in keys}
            for key in started & set(waiting):
                # Under the lock: _finish pops the key before it sets a result, so a future
                # marked running here is never one that has already finished.
                with self._lock:
                    entry = self._waiting.pop(key, None)
                    cancelled = entry is not None and not entry[1].set_running_or_notify_cancel()
                if entry is not None and cancelled:
                    self.client.cancel([entry[0]], force=True)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """With `cancel_futures`, the tasks in flight are cancelled; else, without `wait`,
        they stay on the cluster (published) for a server started later to adopt."""
        with self._lock:
            tasks = list(self._tasks.values())
            names = list(self._names.values())
        if cancel_futures:
            self.client.cancel(tasks, force=True)
            for name in names:
                with contextlib.suppress(Exception):  # gone already
                    self.client.unpublish_dataset(name)
        elif wait and tasks:
            from distributed import wait as wait_for

            wait_for(tasks)
        self._closed = True
        self._wake.set()
        self.client.close()

    def describe(self) -> str:
        link = self.dashboard_link
        return f"the Dask cluster at {self.address}" + (f" (dashboard: {link})" if link else "")
