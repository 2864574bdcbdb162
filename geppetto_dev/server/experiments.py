"""A server's experiments: the database store and the executor, set up from the settings.

`geppetto-dev serve` (and each server of `serve --reload`) calls `start_experiments` before it
accepts connections: experiments are kept in `Settings.database`, runs go to a local process
pool or to the Dask scheduler of `experiment-cluster`. At shutdown the runs still in flight
are marked ERROR (they cannot report back to a stopped server) and the executor is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from geppetto_dev.config import Settings
from geppetto_dev.executors import Progress, cancel, describe, make_executor
from geppetto_dev.projects import set_executor, set_store
from geppetto_dev.storage import database, describe_url
from geppetto_dev.storage.experiments import SQLExperimentStore

__all__ = ["ExperimentServices", "TrackedExecutor", "start_experiments"]

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


@dataclass
class ExperimentServices:
    store: SQLExperimentStore
    executor: TrackedExecutor
    summary: str  # the startup line: where experiments are kept and where they run

    def close(self) -> None:
        self.store.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)


def start_experiments(settings: Settings) -> ExperimentServices:
    """Open the database, mark runs of stopped servers ERROR, connect the executor."""
    store = SQLExperimentStore(database(settings.database))
    recovered = store.start()
    try:
        executor = TrackedExecutor(make_executor(settings.experiment_cluster), Progress())
    except BaseException:
        store.stop()
        raise
    set_store(store)
    set_executor(executor)
    note = f"; {recovered} run(s) of a stopped server marked ERROR" if recovered else ""
    summary = (
        f"Experiments: stored in {describe_url(settings.database)}, run on "
        f"{executor.describe()}{note}"
    )
    return ExperimentServices(store, executor, summary)
