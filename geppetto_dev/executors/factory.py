"""The one place that turns the `experiment-cluster` setting into an Executor."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any, Protocol, runtime_checkable

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.executors.local import LocalExecutor

__all__ = ["Cancellable", "cancel", "describe", "make_executor"]


@runtime_checkable
class Cancellable(Protocol):
    def cancel(self, future: Future[Any]) -> bool: ...


def make_executor(
    cluster: str | None = None, *, workers: int | None = None, connect_timeout: float = 10.0
) -> Executor:
    """A local process pool, or a client of the Dask scheduler at `cluster` (tcp://HOST:PORT)."""
    if not cluster:
        return LocalExecutor(workers)
    try:
        from geppetto_dev.executors.cluster import DaskExecutor
    except ImportError:
        raise GeppettoDevError(
            f"experiment-cluster = {cluster!r} needs Dask, which is not installed",
            "pip install 'geppetto-dev[dask]', or unset experiment-cluster to run locally",
        ) from None
    try:
        return DaskExecutor(cluster, connect_timeout=connect_timeout)
    except (OSError, TimeoutError) as exc:
        raise GeppettoDevError(
            f"cannot reach the Dask scheduler at {cluster}: {exc}",
            "start it (`dask scheduler`) or fix experiment-cluster / "
            "GEPPETTO_DEV_EXPERIMENT_CLUSTER",
        ) from None


def cancel(executor: Executor, future: Future[Any]) -> bool:
    """Cancel a run through its executor (which may also stop a running one)."""
    if isinstance(executor, Cancellable):
        return executor.cancel(future)
    return future.cancel()


def describe(executor: Executor) -> str:
    """Where runs go, for the startup line."""
    method = getattr(executor, "describe", None)
    return str(method()) if callable(method) else type(executor).__name__
