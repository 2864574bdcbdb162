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

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)

    def describe(self) -> str:
        return describe(self.inner)
