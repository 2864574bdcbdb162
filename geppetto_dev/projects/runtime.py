"""A project as the server runs it: its model source, its experiments' store, its runs.

Registered projects have one runtime per process, shared by every connection, so experiment
status and results are per project. A project loaded from JSON content (or a fetched URL) is
volatile, as in the Java server: a random id, a store of its own, held by the connection
that loaded it, and no runs.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from typing import Any

from geppetto_dev.projects.models import ModelSource
from geppetto_dev.projects.project_json import ProjectSpec, project_json
from geppetto_dev.projects.registry import Project
from geppetto_dev.projects.runs import Runner, default_runner
from geppetto_dev.projects.store import (
    ExperimentRecord,
    ExperimentStore,
    MemoryExperimentStore,
    record_of,
)

__all__ = ["ProjectRuntime", "runtime_for", "set_store", "volatile_runtime"]

_store: ExperimentStore = MemoryExperimentStore()
_runtimes: dict[int, ProjectRuntime] = {}
_lock = threading.Lock()


class ProjectRuntime:
    def __init__(
        self,
        project: Project,
        *,
        project_id: int,
        name: str,
        store: ExperimentStore,
        source: ModelSource,
        volatile: bool = False,
        active_experiment_id: int | None = None,
        view: str | None = None,
        runner: Runner | None = None,
    ) -> None:
        self.project = project
        self.id = project_id
        self.name = name
        self.store = store
        self.source = source
        self.volatile = volatile
        self.active_experiment_id = active_experiment_id
        self.view = view
        self.runner = runner or default_runner

    @property
    def persisted(self) -> bool:
        return self.project.persisted and not self.volatile

    def records(self) -> list[ExperimentRecord]:
        return self.runner.refresh(self.store, self.id)

    def record(self, experiment_id: int) -> ExperimentRecord | None:
        return next((r for r in self.records() if r.id == experiment_id), None)

    def to_json(self, records: Sequence[ExperimentRecord] | None = None) -> dict[str, Any]:
        records = self.records() if records is None else records
        active = self.active_experiment_id
        if active is not None and all(r.id != active for r in records):
            active = None
        return project_json(
            self.id,
            self.name,
            records,
            model_url=self.project.name,
            active_experiment_id=active,
            view=self.view,
        )


def set_store(store: ExperimentStore) -> None:
    """Keep experiments' state elsewhere (a database); call before the first load."""
    global _store
    with _lock:
        _store = store
        _runtimes.clear()


def runtime_for(project: Project) -> ProjectRuntime:
    """The process-wide runtime of a registered project (re-made if the project was replaced)."""
    with _lock:
        runtime = _runtimes.get(project.id)
        if runtime is None or runtime.project is not project:
            _store.seed(project.id, [record_of(e) for e in project.experiments])
            stored_name = getattr(_store, "project_name", None)  # renamed from the UI
            runtime = ProjectRuntime(
                project,
                project_id=project.id,
                name=(stored_name(project.id) if callable(stored_name) else None) or project.name,
                store=_store,
                source=ModelSource(project.build, with_time=bool(project.experiments)),
            )
            _runtimes[project.id] = runtime
        return runtime


def volatile_runtime(base: Project, spec: ProjectSpec) -> ProjectRuntime:
    """A project loaded from JSON: its own name and experiments over `base`'s model."""
    shared = runtime_for(base)
    project_id = random.randint(10**6, 10**9)  # as Java: a volatile project gets a random id
    store = MemoryExperimentStore()
    store.seed(project_id, spec.experiments or [record_of(e) for e in base.experiments])
    source = shared.source
    if spec.experiments and not base.experiments:
        # Experiments need the `time` variable: give this project a model of its own with it.
        source = ModelSource(base.build, with_time=True)
    return ProjectRuntime(
        base,
        project_id=project_id,
        name=spec.name,
        store=store,
        source=source,
        volatile=True,
        active_experiment_id=spec.active_experiment_id,
        view=spec.view,
    )
