"""What belongs to which user: the projects users saved, whether others may see them, and who
started each run.

The application's own projects (declared with `@project`) belong to no user: everyone who may
read projects sees them, and every user with the privilege may run and edit their experiments.
A project a user saves (`persist_project`) is a copy over an application project's model,
private to its owner until they make it public; then others may load it, read-only. In
single-user mode the one user owns everything.

Behind the small `ProjectAccess` interface, as the experiments are behind `ExperimentStore`:
the server keeps it in the database (storage/project_access.py), tests may keep it in memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from geppetto_dev.projects.viewer import Viewer

__all__ = [
    "MemoryProjectAccess",
    "ProjectAccess",
    "RunRecord",
    "UserProject",
    "may_change",
    "may_see",
]


@dataclass(frozen=True)
class UserProject:
    """A project a user saved: its own experiments over the model of application project
    `base_id`. `owner_id` is None once its owner's account is removed (admins keep it)."""

    id: int
    base_id: int
    name: str
    owner_id: int | None
    public: bool = False
    active_experiment_id: int | None = None
    view: str | None = None


@dataclass(frozen=True)
class RunRecord:
    """Who started a run: the run number counts per experiment, as `ExperimentRecord.run`."""

    project_id: int
    experiment_id: int
    run: int
    user_id: int | None
    user_name: str
    started_at: int = 0  # milliseconds since the epoch; 0: now


class ProjectAccess(Protocol):
    def add(self, project: UserProject) -> None:
        """Store a new saved project; KeyError if its id is taken."""

    def get(self, project_id: int) -> UserProject | None: ...

    def listed(self, user_id: int | None, *, everything: bool = False) -> list[UserProject]:
        """The public projects and those of `user_id` (every one with `everything`), by id."""

    def set_public(self, project_id: int, public: bool) -> UserProject:
        """KeyError if there is no such project."""

    def record_run(self, run: RunRecord) -> None: ...

    def runs(self, project_id: int, experiment_id: int) -> list[RunRecord]:
        """The runs of an experiment, oldest first."""


def may_see(viewer: Viewer, project: UserProject) -> bool:
    return project.public or viewer.owns(project.owner_id)


def may_change(viewer: Viewer, *, owned: bool, owner_id: int | None) -> bool:
    """An application project is anyone's to change (with the privilege); a saved one its
    owner's and the admins'."""
    return not owned or viewer.owns(owner_id)


class MemoryProjectAccess:
    """The in-memory `ProjectAccess`: gone when the process ends (tests, embedding)."""

    def __init__(self) -> None:
        self._projects: dict[int, UserProject] = {}
        self._runs: list[RunRecord] = []
        self._lock = threading.Lock()

    def add(self, project: UserProject) -> None:
        with self._lock:
            if project.id in self._projects:
                raise KeyError(f"project id {project.id} is taken")
            self._projects[project.id] = project

    def get(self, project_id: int) -> UserProject | None:
        with self._lock:
            return self._projects.get(project_id)

    def listed(self, user_id: int | None, *, everything: bool = False) -> list[UserProject]:
        with self._lock:
            found: Iterable[UserProject] = self._projects.values()
            if not everything:
                found = [
                    p for p in found if p.public or (user_id is not None and p.owner_id == user_id)
                ]
            return sorted(found, key=lambda p: p.id)

    def set_public(self, project_id: int, public: bool) -> UserProject:
        with self._lock:
            changed = replace(self._projects[project_id], public=public)
            self._projects[project_id] = changed
            return changed

    def record_run(self, run: RunRecord) -> None:
        with self._lock:
            self._runs.append(run if run.started_at else replace(run, started_at=_now_ms()))

    def runs(self, project_id: int, experiment_id: int) -> list[RunRecord]:
        with self._lock:
            return [
                r
                for r in self._runs
                if (r.project_id, r.experiment_id) == (project_id, experiment_id)
            ]


def _now_ms() -> int:
    return int(time.time() * 1000)
