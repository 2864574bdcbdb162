"""Where experiments' state lives: status, watched variables, view, results.

Behind the small `ExperimentStore` interface so a database can replace the in-memory store
without touching the handlers. Records are immutable; `update` replaces one atomically, which
is all a run (in another thread or process) and the handlers (in the thread pool) need.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from geppetto_dev.projects.project import Experiment

__all__ = [
    "CANCELED",
    "DESIGN",
    "FIRST_STORED_ID",
    "STATUSES",
    "ExperimentRecord",
    "ExperimentStore",
    "MemoryExperimentStore",
    "StoredProject",
    "record_of",
]

# The statuses the clients know (org.geppetto.core.data.model.ExperimentStatus).
DESIGN, QUEUED, RUNNING, COMPLETED, ERROR = "DESIGN", "QUEUED", "RUNNING", "COMPLETED", "ERROR"
CANCELED = "CANCELED"  # stopped by a user while it ran
STATUSES = (DESIGN, QUEUED, RUNNING, COMPLETED, ERROR, CANCELED, "DELETED")


def now_ms() -> str:
    """Gson writes lastModified as a string of milliseconds, which the client shows as is."""
    return str(int(time.time() * 1000))


@dataclass(frozen=True)
class ExperimentRecord:
    """One experiment's state. `run` counts the runs started, so a connection can tell a new
    run's COMPLETED from an old one's."""

    id: int
    name: str
    description: str = ""
    status: str = DESIGN
    watched: tuple[str, ...] = ()
    parameters: tuple[tuple[str, float], ...] = ()
    timestep: float = 1e-05
    length: float = 0.1
    simulator_id: str = "pythonSimulator"
    instance: str = ""
    script: str | None = None
    view: str | None = None
    last_modified: str = field(default_factory=now_ms)
    run: int = 0
    # {watched path: TimeSeries} once a run completed.
    results: Mapping[str, Any] | None = None
    error: str | None = None
    # Saved from the UI (save_experiment_properties: conversionServiceId, SP$<name>).
    conversion_service_id: str | None = None
    simulator_parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StoredProject:
    """A project's properties as the store keeps them. `base` is set for a project persisted
    from JSON content: the registered project whose model it loads."""

    id: int
    name: str = ""
    is_public: bool = False
    base: str | None = None
    active_experiment_id: int = -1
    view: str | None = None


# The first id given to a project persisted from JSON content (registered ones stay below).
FIRST_STORED_ID = 1001


def record_of(experiment: Experiment) -> ExperimentRecord:
    return ExperimentRecord(
        id=experiment.id,
        name=experiment.name,
        description=experiment.description,
        watched=tuple(experiment.watched),
        parameters=tuple(experiment.parameters.items()),
        timestep=experiment.timestep,
        length=experiment.length,
        simulator_id=experiment.simulator_id,
        instance=experiment.instance,
        script=experiment.script,
        conversion_service_id=experiment.conversion_service_id,
        simulator_parameters=tuple(
            (str(k), str(v)) for k, v in experiment.simulator_parameters.items()
        ),
    )


class ExperimentStore(Protocol):
    """The state of every project's experiments, keyed by (project id, experiment id)."""

    def seed(self, project_id: int, records: Iterable[ExperimentRecord]) -> None:
        """Add the records not stored yet (a project's declared experiments, on first use)."""

    def list(self, project_id: int) -> list[ExperimentRecord]: ...

    def get(self, project_id: int, experiment_id: int) -> ExperimentRecord | None: ...

    def update(
        self, project_id: int, experiment_id: int, *, if_status: str | None = None, **changes: Any
    ) -> ExperimentRecord:
        """Replace fields of one record atomically and return the new record (KeyError if
        absent); `last_modified` is refreshed. With `if_status`, only a record in that status
        changes (the current record is returned otherwise)."""

    def drop(self, project_id: int) -> None: ...

    def create(self, project_id: int, record: ExperimentRecord) -> ExperimentRecord:
        """Store `record` under the project's next free id (never one used before)."""

    def delete(self, project_id: int, experiment_id: int) -> ExperimentRecord | None:
        """Remove an experiment; the record it had, or None if there was none."""

    def project_name(self, project_id: int) -> str | None:
        """The name given from the UI (save_project_properties), if any."""

    def save_project(self, project_id: int, **changes: Any) -> object:
        """Change a project's stored properties: `name`, `is_public`, `base`,
        `active_experiment_id`, `view`."""

    def project_info(self, project_id: int) -> StoredProject | None:
        """What the store keeps of a project, None if it keeps nothing."""

    def copies(self) -> tuple[StoredProject, ...]:
        """The projects persisted from JSON content (those with a `base`)."""

    def new_project_id(self, taken: Iterable[int] = ()) -> int:
        """An id no stored project (nor any of `taken`) has, from FIRST_STORED_ID up."""

    def remember_task(self, project_id: int, experiment_id: int, run: int, task: str) -> None:
        """The cluster task computing an experiment's run (one that outlives this server), so
        a server started after this one can adopt the run."""

    def claim(self, project_id: int, content: str) -> bool:
        """The project's stored experiments belong to `content` (a model file's hash): if they
        were stored for other content, drop them (and their results). True when dropped."""


_PROJECT_FIELDS = ("name", "is_public", "base", "active_experiment_id", "view")


class MemoryExperimentStore:
    """The default store: a dict, gone when the server stops."""

    def __init__(self) -> None:
        self._records: dict[int, dict[int, ExperimentRecord]] = {}
        self._last_id: dict[int, int] = {}
        self._projects: dict[int, StoredProject] = {}
        self._contents: dict[int, str] = {}
        self._lock = threading.Lock()

    def seed(self, project_id: int, records: Iterable[ExperimentRecord]) -> None:
        with self._lock:
            stored = self._records.setdefault(project_id, {})
            for record in records:
                stored.setdefault(record.id, record)

    def list(self, project_id: int) -> list[ExperimentRecord]:
        with self._lock:
            return sorted(self._records.get(project_id, {}).values(), key=lambda r: r.id)

    def get(self, project_id: int, experiment_id: int) -> ExperimentRecord | None:
        with self._lock:
            return self._records.get(project_id, {}).get(experiment_id)

    def update(
        self, project_id: int, experiment_id: int, *, if_status: str | None = None, **changes: Any
    ) -> ExperimentRecord:
        with self._lock:
            stored = self._records.get(project_id, {})
            if experiment_id not in stored:
                raise KeyError(f"project {project_id} has no experiment {experiment_id}")
            if if_status is not None and stored[experiment_id].status != if_status:
                return stored[experiment_id]
            record = replace(stored[experiment_id], **changes, last_modified=now_ms())
            stored[experiment_id] = record
            return record

    def drop(self, project_id: int) -> None:
        with self._lock:
            self._records.pop(project_id, None)

    def create(self, project_id: int, record: ExperimentRecord) -> ExperimentRecord:
        with self._lock:
            stored = self._records.setdefault(project_id, {})
            self._last_id[project_id] = max(self._last_id.get(project_id, 0), *stored, 0) + 1
            new = replace(record, id=self._last_id[project_id], last_modified=now_ms())
            stored[new.id] = new
            return new

    def delete(self, project_id: int, experiment_id: int) -> ExperimentRecord | None:
        with self._lock:
            stored = self._records.get(project_id, {})
            if experiment_id in stored:  # ids are not reused: remember the highest
                self._last_id[project_id] = max(self._last_id.get(project_id, 0), *stored)
            return stored.pop(experiment_id, None)

    def project_name(self, project_id: int) -> str | None:
        with self._lock:
            found = self._projects.get(project_id)
            return found.name or None if found is not None else None

    def remember_task(self, project_id: int, experiment_id: int, run: int, task: str) -> None:
        """Nothing to remember: these records end with the server."""

    def save_project(self, project_id: int, **changes: Any) -> object:
        unknown = set(changes) - set(_PROJECT_FIELDS)
        if unknown:
            raise ValueError(f"unknown project properties: {', '.join(sorted(unknown))}")
        with self._lock:
            current = self._projects.get(project_id) or StoredProject(project_id)
            self._projects[project_id] = replace(current, **changes)
            return self._projects[project_id]

    def project_info(self, project_id: int) -> StoredProject | None:
        with self._lock:
            return self._projects.get(project_id)

    def copies(self) -> tuple[StoredProject, ...]:
        with self._lock:
            return tuple(sorted((p for p in self._projects.values() if p.base), key=lambda p: p.id))

    def new_project_id(self, taken: Iterable[int] = ()) -> int:
        with self._lock:
            used = {*self._projects, *self._records, *taken}
        return max([FIRST_STORED_ID - 1, *used]) + 1

    def claim(self, project_id: int, content: str) -> bool:
        with self._lock:
            if self._contents.get(project_id) == content:
                return False
            self._contents[project_id] = content
            dropped = self._records.pop(project_id, None)
            self._last_id.pop(project_id, None)
            self._projects.pop(project_id, None)
            return bool(dropped)
