"""What belongs to which user: the projects users saved, and who started each run.

The application's own projects (registered with `@project`) belong to no user: everyone who
may read projects sees them, and every user with the privilege may run and edit their
experiments. A project persisted from another (`persist_project`: a copy over a registered
project's model, see services.py) belongs to the user who saved it: private to them until it
is made public, then read-only for others. Admins may change any. In single-user mode the one
user owns everything.

Behind the small `Ownership` interface, as experiments are behind `ExperimentStore`: the
server keeps it in the database (storage/ownership.py), tests may keep it in memory.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Protocol

from geppetto_dev.projects.viewer import Viewer

__all__ = ["MemoryOwnership", "Ownership", "RunRecord", "may_change", "may_see"]


@dataclass(frozen=True)
class RunRecord:
    """Who started a run: the run number counts per experiment, as `ExperimentRecord.run`."""

    project_id: int
    experiment_id: int
    run: int
    user_id: int | None
    user_name: str
    started_at: int = 0  # milliseconds since the epoch; 0: now


class Ownership(Protocol):
    def claim(self, project_id: int, owner_id: int | None) -> None:
        """Record who saved a project (None: nobody's, as in single-user mode)."""

    def owner_of(self, project_id: int) -> int | None:
        """Who saved it; None for nobody, or once their account is removed."""

    def record_run(self, run: RunRecord) -> None: ...

    def runs(self, project_id: int, experiment_id: int) -> list[RunRecord]:
        """The runs of an experiment, oldest first."""


def may_see(viewer: Viewer, *, public: bool, owner_id: int | None) -> bool:
    """Whether `viewer` may load a saved project (registered projects are everyone's)."""
    return public or viewer.owns(owner_id)


def may_change(viewer: Viewer, *, owned: bool, owner_id: int | None) -> bool:
    """A registered project is anyone's to change (with the privilege); a saved one its
    owner's and the admins'."""
    return not owned or viewer.owns(owner_id)


class MemoryOwnership:
    """The in-memory `Ownership`: gone when the process ends (tests, embedding)."""

    def __init__(self) -> None:
        self._owners: dict[int, int | None] = {}
        self._runs: list[RunRecord] = []
        self._lock = threading.Lock()

    def claim(self, project_id: int, owner_id: int | None) -> None:
        with self._lock:
            self._owners[project_id] = owner_id

    def owner_of(self, project_id: int) -> int | None:
        with self._lock:
            return self._owners.get(project_id)

    def record_run(self, run: RunRecord) -> None:
        with self._lock:
            self._runs.append(run if run.started_at else replace(run, started_at=_now_ms()))

    def runs(self, project_id: int, experiment_id: int) -> list[RunRecord]:
        with self._lock:
            key = (project_id, experiment_id)
            return [r for r in self._runs if (r.project_id, r.experiment_id) == key]


def _now_ms() -> int:
    return int(time.time() * 1000)
