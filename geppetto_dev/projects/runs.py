"""Experiment runs, off the event loop, through a `concurrent.futures.Executor`.

The Executor is the one interface: a local process pool or a Dask client's executor, chosen by
the application's settings and owned by its services (see `geppetto_dev.executors`), so a
cluster is a setting, not a code path. What crosses into the executor is the project's run hook (a
module-level function) and a plain `RunRequest`, both picklable; the results come back as
{watched path: TimeSeries or list of floats}.

Status is per project (shared by every connection): QUEUED when submitted, RUNNING once the
executor has started the job (`Future.running()`, which every executor reports), then
COMPLETED or ERROR.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from typing import Any

from geppetto_dev.projects.project import RunRequest
from geppetto_dev.projects.records import (
    COMPLETED,
    ERROR,
    QUEUED,
    RUNNING,
    ExperimentRecord,
    ExperimentStore,
)
from geppetto_dev.tracebacks import short_traceback

__all__ = ["ExperimentRunner"]

log = logging.getLogger("geppetto_dev.projects")


RunHook = Callable[[RunRequest], Mapping[str, Any]]
# Called in whatever thread finishes the run: (record after the run, exception or None).
Finished = Callable[[ExperimentRecord, BaseException | None], None]


class ExperimentRunner:
    """Submits runs to the executor and keeps the store's status in step with their futures."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self._futures: dict[tuple[int, int], Future[Mapping[str, Any]]] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        store: ExperimentStore,
        project_id: int,
        experiment_id: int,
        hook: RunHook,
        convert: Callable[[Mapping[str, Any]], Mapping[str, Any]],
        finished: Finished | None = None,
    ) -> ExperimentRecord:
        """Queue a run; `convert` turns the hook's results into what the store keeps (it runs
        here, in the server process, not in the executor)."""
        current = store.get(project_id, experiment_id)
        if current is None:
            raise KeyError(f"project {project_id} has no experiment {experiment_id}")
        record = store.update(
            project_id,
            experiment_id,
            status=QUEUED,
            run=current.run + 1,
            results=None,
            error=None,
        )
        request = RunRequest(
            project_id=project_id,
            experiment_id=experiment_id,
            watched=record.watched,
            parameters=dict(record.parameters),
            timestep=record.timestep,
            length=record.length,
            run=record.run,
            simulator_id=record.simulator_id,
            conversion_service_id=record.conversion_service_id,
            simulator_parameters=dict(record.simulator_parameters),
        )
        future = self.executor.submit(hook, request)
        with self._lock:
            self._futures[(project_id, experiment_id)] = future

        def done(fut: Future[Mapping[str, Any]]) -> None:
            with self._lock:
                current = self._futures.get((project_id, experiment_id)) is fut
                if current and fut.cancelled():
                    # Its executor shut down (the server stops, and its store marks the runs
                    # in flight ERROR): a stop, not a failure to report.
                    del self._futures[(project_id, experiment_id)]
                    return
            if not current:
                return  # cancelled (the experiment was deleted) or superseded: nothing to store
            error: BaseException | None = None
            try:
                results = convert(fut.result())
                final = store.update(project_id, experiment_id, status=COMPLETED, results=results)
            except BaseException as exc:  # the hook's failure is the experiment's ERROR
                error = exc
                log.error(
                    "experiment %s of project %s failed:\n%s",
                    experiment_id,
                    project_id,
                    short_traceback(exc),
                )
                final = store.update(
                    project_id, experiment_id, status=ERROR, error=f"{type(exc).__name__}: {exc}"
                )
            with self._lock:
                if self._futures.get((project_id, experiment_id)) is fut:
                    del self._futures[(project_id, experiment_id)]
            if finished is not None:
                finished(final, error)

        future.add_done_callback(done)
        return record

    def refresh(self, store: ExperimentStore, project_id: int) -> list[ExperimentRecord]:
        """The project's records, with QUEUED turned RUNNING for jobs the executor started."""
        records = store.list(project_id)
        out = []
        for record in records:
            if record.status == QUEUED:
                with self._lock:
                    future = self._futures.get((project_id, record.id))
                if future is not None and (future.running() or future.done()):
                    # Only a record still QUEUED: the done callback may have just finished it.
                    record = store.update(project_id, record.id, if_status=QUEUED, status=RUNNING)
            out.append(record)
        return out

    def cancel(self, project_id: int, experiment_id: int) -> bool:
        """Forget a run and cancel it in its executor (a Dask task even while it runs)."""
        from geppetto_dev.executors import cancel

        with self._lock:
            future = self._futures.pop((project_id, experiment_id), None)
        return future is not None and cancel(self.executor, future)

    def busy(self, project_id: int, experiment_id: int) -> bool:
        with self._lock:
            future = self._futures.get((project_id, experiment_id))
        return future is not None and not future.done()
