"""What the project conversation runs on, owned by one application: its projects, the store of
their experiments, the runner of their runs, the runtime of each project, the projects users
saved (and who may see them), and its policy.

Made when the application starts and dropped when it stops; a handler reaches it through its
connection (`services_of(conn)`). Two applications in one process share nothing.
"""

from __future__ import annotations

import random
import secrets
import threading
from dataclasses import dataclass, replace
from typing import Any, Protocol

from geppetto_dev.projects.model_source import ModelSource
from geppetto_dev.projects.ownership import MemoryProjectAccess, ProjectAccess, UserProject, may_see
from geppetto_dev.projects.project import Project, ProjectRegistry, as_id
from geppetto_dev.projects.project_json import ProjectSpec
from geppetto_dev.projects.records import (
    DESIGN,
    ExperimentStore,
    MemoryExperimentStore,
    record_of,
)
from geppetto_dev.projects.runs import ExperimentRunner
from geppetto_dev.projects.runtime import ProjectRuntime
from geppetto_dev.projects.viewer import Viewer

__all__ = ["ProjectPolicy", "ProjectServices", "services_of"]


@dataclass(frozen=True)
class ProjectPolicy:
    """The application's choices the default handlers act on."""

    # Fetch project JSON from http(s) URLs a client names (off: any page could make us fetch).
    fetch_project_urls: bool = False
    # The largest project JSON read from a URL.
    fetch_limit: int = 10 * 1024 * 1024


class ProjectServices:
    def __init__(
        self,
        projects: ProjectRegistry,
        store: ExperimentStore,
        runner: ExperimentRunner,
        policy: ProjectPolicy | None = None,
        access: ProjectAccess | None = None,
    ) -> None:
        self.projects = projects
        self.store = store
        self.runner = runner
        self.policy = policy or ProjectPolicy()
        self.access: ProjectAccess = access or MemoryProjectAccess()
        self._runtimes: dict[int, ProjectRuntime] = {}
        self._lock = threading.Lock()

    def runtime_for(self, project: Project) -> ProjectRuntime:
        """The runtime of a registered project (made anew if the project was replaced)."""
        with self._lock:
            runtime = self._runtimes.get(project.id)
            if runtime is None or runtime.project is not project:
                self.store.seed(project.id, [record_of(e) for e in project.experiments])
                runtime = ProjectRuntime(
                    project,
                    project_id=project.id,
                    name=self.store.project_name(project.id) or project.name,
                    store=self.store,
                    source=ModelSource(project.build, with_time=bool(project.experiments)),
                    runner=self.runner,
                )
                self._runtimes[project.id] = runtime
            return runtime

    def volatile_runtime(self, base: Project, spec: ProjectSpec) -> ProjectRuntime:
        """A project loaded from JSON: its own name and experiments over `base`'s model."""
        shared = self.runtime_for(base)
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
            runner=self.runner,
        )

    # Projects users saved ---------------------------------------------------------------------

    def find(self, project_id: Any, viewer: Viewer) -> ProjectRuntime | None:
        """The project with this id that `viewer` may see: an application project, or a saved
        one that is public or theirs. Another user's private project is not found, as none."""
        project = self.projects.by_id(project_id)
        if project is not None:
            return self.runtime_for(project)
        number = as_id(project_id)
        saved = self.access.get(number) if number is not None else None
        if saved is None or not may_see(viewer, saved):
            return None
        return self.saved_runtime(saved)

    def saved_runtime(self, saved: UserProject) -> ProjectRuntime | None:
        """The runtime of a saved project (None if its application project is gone)."""
        base = self.projects.by_id(saved.base_id)
        if base is None:
            return None
        # A model with the `time` variable: a saved project always has experiments.
        source = self.runtime_for(base).source if base.experiments else None
        with self._lock:
            runtime = self._runtimes.get(saved.id)
            if runtime is None or runtime.project is not base:
                runtime = ProjectRuntime(
                    base,
                    project_id=saved.id,
                    name=saved.name,
                    store=self.store,
                    source=source or ModelSource(base.build, with_time=True),
                    active_experiment_id=saved.active_experiment_id,
                    view=saved.view,
                    runner=self.runner,
                    owned=True,
                    owner_id=saved.owner_id,
                )
                self._runtimes[saved.id] = runtime
            runtime.public = saved.public  # another server may have changed it
            return runtime

    def save_copy(self, runtime: ProjectRuntime, viewer: Viewer) -> ProjectRuntime:
        """A copy of `runtime`'s project and experiments (in DESIGN), owned by `viewer`."""
        records = [
            replace(r, status=DESIGN, run=0, results=None, error=None) for r in runtime.records()
        ]
        active = runtime.to_json(records)["activeExperimentId"]
        for _attempt in range(8):
            # Above the random ids of volatile projects, within what JavaScript holds exactly.
            project_id = 10**10 + secrets.randbelow(2**52 - 10**10)
            if self.projects.by_id(project_id) is not None:
                continue
            saved = UserProject(
                id=project_id,
                base_id=runtime.project.id,
                name=runtime.name,
                owner_id=viewer.user_id,
                active_experiment_id=active if active != -1 else None,
                view=runtime.view,
            )
            try:
                self.access.add(saved)
            except KeyError:
                continue
            self.store.seed(project_id, records)
            copy = self.saved_runtime(saved)
            if copy is None:  # pragma: no cover - its base was there a moment ago
                raise RuntimeError(f"project {runtime.project.name!r} is gone")
            return copy
        raise RuntimeError("no free project id")  # pragma: no cover - 8 collisions in 2**52

    def project_list(self, viewer: Viewer | None = None) -> list[dict[str, Any]]:
        """The projects `viewer` may see as project JSON (what GET /projects answers): the
        application's, then the saved ones that are public or theirs (all without a viewer)."""
        listed = [self.runtime_for(p).to_json() for p in self.projects.all()]
        if viewer is None:
            saved = self.access.listed(None, everything=True)
        else:
            everything = not viewer.accounts or viewer.admin
            saved = self.access.listed(viewer.user_id, everything=everything)
        for item in saved:
            runtime = self.saved_runtime(item)
            if runtime is not None:
                listed.append(runtime.to_json())
        return listed


class _AppServices(Protocol):
    projects: ProjectServices


class _App(Protocol):
    @property
    def services(self) -> _AppServices: ...


def services_of(conn: Any) -> ProjectServices:
    """The project services of the application a connection belongs to (`conn.app`)."""
    app: _App | None = getattr(conn, "app", None)
    services = getattr(getattr(app, "services", None), "projects", None)
    if not isinstance(services, ProjectServices):
        raise RuntimeError(
            "this connection belongs to no started application: make the Session with "
            "app=<a started GeppettoApp>, or use GeppettoApp.test_client()"
        )
    return services
