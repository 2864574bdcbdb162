"""Experiment runs, off the event loop, through a `concurrent.futures.Executor`.

The Executor is the one interface: a local process pool or a Dask client's executor, chosen by
the application's settings and owned by its services (see `geppetto_dev.executors`), so a
cluster is a setting, not a code path. What crosses into the executor is `run_controlled`, the
project's run hook (a module-level function, or a `SimulatorHook`), a plain `RunRequest` and
the run's control folder, all picklable; the results come back as {watched path: TimeSeries
or list of floats}.

Status is per project (shared by every connection): QUEUED when submitted, RUNNING once the
executor has started the job (`Future.running()`, which every executor reports), then
COMPLETED or ERROR. Each run has a control (`executors.control`): stopping a run kills the
process computing it, not only drops its result, and the run's progress is read from it.
A cluster that keeps runs past a restart of the server (Dask) names each run's task; the
store remembers it, so a restarted server adopts the run instead of failing it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from geppetto_dev.executors.control import RunControl, using_control
from geppetto_dev.projects.connection_model import plain_path, to_time_series
from geppetto_dev.projects.project import RunRequest
from geppetto_dev.projects.records import (
    COMPLETED,
    ERROR,
    QUEUED,
    RUNNING,
    ExperimentRecord,
    ExperimentStore,
)
from geppetto_dev.simulators.isolation import call_isolated
from geppetto_dev.tracebacks import short_traceback

__all__ = ["ExperimentRunner", "run_controlled", "stored_results"]

log = logging.getLogger("geppetto_dev.projects")


RunHook = Callable[[RunRequest], Mapping[str, Any]]
Convert = Callable[[Mapping[str, Any]], Mapping[str, Any]]
# Called in whatever thread finishes the run: (record after the run, exception or None).
Finished = Callable[[ExperimentRecord, BaseException | None], None]
Key = tuple[int, int]


def run_controlled(hook: RunHook, request: RunRequest, control: RunControl) -> Mapping[str, Any]:
    """What the executor runs: the hook, in a process a stop can kill.

    A hook that starts its own process per run (`SimulatorHook`) is given the control; any
    other runs in a child forked for it where the worker may fork (else in the worker)."""
    controlled = getattr(hook, "controlled", None)
    if callable(controlled):
        with using_control(control):
            result: Mapping[str, Any] = controlled(control)(request)
            return result
    name = getattr(hook, "__qualname__", type(hook).__name__)
    return call_isolated(hook, request, label=f"the run hook {name}", control=control)  # type: ignore[no-any-return]


def stored_results(results: Any) -> dict[str, Any]:
    """What a run hook returned, as the store keeps it: {plain path: TimeSeries}."""
    if not isinstance(results, dict):
        raise TypeError(f"a run hook returns {{path: TimeSeries}}, not {type(results).__name__}")
    return {plain_path(str(k)): to_time_series(v) for k, v in results.items()}


@dataclass(frozen=True)
class _Run:
    future: Future[Mapping[str, Any]]
    control: RunControl | None


class ExperimentRunner:
    """Submits runs to the executor and keeps the store's status in step with their futures."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self._runs: dict[Key, _Run] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        store: ExperimentStore,
        project_id: int,
        experiment_id: int,
        hook: RunHook,
        convert: Convert = stored_results,
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
        control = RunControl.create()
        future: Future[Mapping[str, Any]] = self.executor.submit(
            run_controlled, hook, request, control
        )
        future.add_done_callback(lambda _: control.remove())
        self._watch(store, (project_id, experiment_id), _Run(future, control), convert, finished)
        task = getattr(self.executor, "task_of", lambda _: None)(future)
        if task is not None:  # a cluster's task, which outlives this server: remember it
            store.remember_task(project_id, experiment_id, record.run, str(task))
        follow = getattr(getattr(self.executor, "progress", None), "follow", None)
        if callable(follow):
            follow(future, control)
        return record

    def adopt(
        self,
        store: ExperimentStore,
        project_id: int,
        experiment_id: int,
        future: Future[Mapping[str, Any]],
        convert: Convert = stored_results,
    ) -> None:
        """Follow a run another server started (on a cluster that kept it) as if submitted
        here: its result is stored when it ends."""
        self._watch(store, (project_id, experiment_id), _Run(future, None), convert, None)

    def _watch(
        self,
        store: ExperimentStore,
        key: Key,
        run: _Run,
        convert: Convert,
        finished: Finished | None,
    ) -> None:
        with self._lock:
            self._runs[key] = run
        project_id, experiment_id = key

        def done(fut: Future[Mapping[str, Any]]) -> None:
            with self._lock:
                current = self._runs.get(key) is run
                if current and fut.cancelled():
                    # Its executor shut down (the server stops, and its store marks the runs
                    # in flight ERROR): a stop, not a failure to report.
                    del self._runs[key]
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
                if self._runs.get(key) is run:
                    del self._runs[key]
            if finished is not None:
                finished(final, error)

        run.future.add_done_callback(done)

    def refresh(self, store: ExperimentStore, project_id: int) -> list[ExperimentRecord]:
        """The project's records, with QUEUED turned RUNNING for jobs the executor started."""
        records = store.list(project_id)
        out = []
        for record in records:
            if record.status == QUEUED:
                with self._lock:
                    run = self._runs.get((project_id, record.id))
                if run is not None and (run.future.running() or run.future.done()):
                    # Only a record still QUEUED: the done callback may have just finished it.
                    record = store.update(project_id, record.id, if_status=QUEUED, status=RUNNING)
            out.append(record)
        return out

    def progress(self, project_id: int, experiment_id: int) -> float | None:
        """How much of a running run is done (0 to 1), once it has told."""
        with self._lock:
            run = self._runs.get((project_id, experiment_id))
        if run is None or run.control is None or not run.future.running():
            return None
        return run.control.fraction()

    def cancel(self, project_id: int, experiment_id: int) -> bool:
        """Forget a run and stop it: cancelled in its executor if it has not started, its
        process killed if it has."""
        from geppetto_dev.executors import cancel

        with self._lock:
            run = self._runs.pop((project_id, experiment_id), None)
        if run is None:
            return False
        if run.control is not None:
            run.control.stop()
        return cancel(self.executor, run.future) or run.control is not None

    def busy(self, project_id: int, experiment_id: int) -> bool:
        with self._lock:
            run = self._runs.get((project_id, experiment_id))
        return run is not None and not run.future.done()

    def stop_all(self) -> None:
        """Stop every run this server computes (a stopping server): their processes are
        killed. Runs a cluster keeps past a restart are left to it."""
        keeps = getattr(self.executor, "keeps_runs", False)
        with self._lock:
            runs = list(self._runs.values())
            if keeps:  # what their futures say from now on (the client closing) is not theirs
                self._runs.clear()
        for run in runs:
            if run.control is not None and not keeps:
                run.control.stop()
