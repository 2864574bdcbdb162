"""An executor whose runs show on the progress line, and can be cancelled whatever it wraps."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

from geppetto_dev.executors.factory import cancel, describe
from geppetto_dev.executors.progress import Progress

__all__ = ["TrackedExecutor"]

P = ParamSpec("P")
T = TypeVar("T")


class TrackedExecutor(Executor):
    """An executor whose runs show on the progress line."""

    def __init__(self, inner: Executor, progress: Progress) -> None:
        self.inner = inner
        self.progress = progress

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future = self.inner.submit(fn, *args, **kwargs)
        self.progress.track(future)
        return future

    def cancel(self, future: Future[Any]) -> bool:
        return cancel(self.inner, future)

    @property
    def keeps_runs(self) -> bool:
        """Whether runs go on when this server stops (a cluster keeps them for the next)."""
        return bool(getattr(self.inner, "keeps_runs", False))

    def task_of(self, future: Future[Any]) -> str | None:
        """The name of the cluster task computing `future`, where there is one."""
        task_of = getattr(self.inner, "task_of", None)
        return task_of(future) if callable(task_of) else None

    def adopt(self, task: str) -> Future[Any] | None:
        """A future for a task another server left on the cluster (None: gone, or no cluster)."""
        adopt = getattr(self.inner, "adopt", None)
        future: Future[Any] | None = adopt(task) if callable(adopt) else None
        if future is not None:
            self.progress.track(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)

    def describe(self) -> str:
        return describe(self.inner)
