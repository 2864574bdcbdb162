"""What the project conversation runs on, owned by one application: its projects, the store of
their experiments, the runner of their runs, the simulators experiments name, the runtime of
each project, who saved which project (and who may see it), and its policy.

Made when the application starts and dropped when it stops; a handler reaches it through its
connection (`services_of(conn)`). Two applications in one process share nothing.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from geppetto_dev.interpreters import InterpreterRegistry, default_interpreters
from geppetto_dev.projects.file_projects import FileProject, ProjectFolder
from geppetto_dev.projects.model_reading import ModelReader
from geppetto_dev.projects.model_source import ModelSource
from geppetto_dev.projects.ownership import MemoryOwnership, Ownership, may_see
from geppetto_dev.projects.project import Project, ProjectRegistry, as_id
from geppetto_dev.projects.project_json import ProjectSpec
from geppetto_dev.projects.reconnection import LostConnections
from geppetto_dev.projects.records import (
    ExperimentStore,
    MemoryExperimentStore,
    StoredProject,
    record_of,
)
from geppetto_dev.projects.runs import ExperimentRunner
from geppetto_dev.projects.runtime import ProjectRuntime
from geppetto_dev.projects.uploads import UploadStore
from geppetto_dev.projects.viewer import Viewer
from geppetto_dev.simulators.registry import SimulatorRegistry, default_simulators

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
        uploads: UploadStore | None = None,
        *,
        reader: ModelReader | None = None,
        folder: ProjectFolder | None = None,
        simulators: SimulatorRegistry | None = None,
        ownership: Ownership | None = None,
    ) -> None:
        self.projects = projects
        self.store = store
        self.runner = runner
        self.policy = policy or ProjectPolicy()
        # Where upload_model / upload_results put files (Dropbox in Java); None: not offered.
        self.uploads = uploads
        # How models are read from files (a project's read_model, file projects), and the
        # project files folder a relative load_project_from_url names a file of.
        self.reader = reader or ModelReader(default_interpreters(), Path.cwd())
        self.folder = folder
        # The simulators an experiment's simulatorId picks (`neuronSimulator`, ...).
        self.simulators = simulators if simulators is not None else default_simulators()
        # Who saved each persisted copy, and who started each run.
        self.ownership: Ownership = ownership or MemoryOwnership()
        # Projects of closed connections, for their clients' `reconnect`.
        self.lost = LostConnections()
        self._runtimes: dict[int, ProjectRuntime] = {}
        self._lock = threading.Lock()

    def runtime_for(self, project: Project) -> ProjectRuntime:
        """The runtime of a registered project (made anew if the project was replaced)."""
        with self._lock:
            runtime = self._runtimes.get(project.id)
            if runtime is None or runtime.project is not project:
                active = None
                if isinstance(project, FileProject):
                    active = project.active_experiment_id
                    if project.content_key is not None:  # experiments of this content only
                        self.store.claim(project.id, project.content_key)
                self.store.seed(project.id, [record_of(e) for e in project.experiments])
                stored = self.store.project_info(project.id)
                build = self.reader.bind(project.build_model)
                runtime = ProjectRuntime(
                    project,
                    project_id=project.id,
                    name=self.store.project_name(project.id) or project.name,
                    store=self.store,
                    source=ModelSource(build, with_time=bool(project.experiments)),
                    runner=self.runner,
                    is_public=stored.is_public if stored is not None else False,
                    active_experiment_id=active,
                )
                self._runtimes[project.id] = runtime
            return runtime

    def runtime_by_id(self, project_id: Any) -> ProjectRuntime | None:
        """A registered project's runtime, or that of a project persisted from JSON content
        (stored under its own id, over the registered project it was loaded over)."""
        project = self.projects.by_id(project_id)
        if project is not None:
            return self.runtime_for(project)
        number = as_id(project_id)
        if number is None:
            return None
        with self._lock:
            runtime = self._runtimes.get(number)
        if runtime is not None and runtime.id == number:
            return runtime
        stored = self.store.project_info(number)
        if stored is None or not stored.base:
            return None
        base = self.projects.by_name(stored.base)
        return self._copy_runtime(base, stored) if base is not None else None

    def _copy_runtime(self, base: Project, stored: StoredProject) -> ProjectRuntime:
        shared = self.runtime_for(base)
        source = (
            shared.source
            if base.experiments
            else ModelSource(self.reader.bind(base.build_model), with_time=True)
        )
        active = stored.active_experiment_id
        runtime = ProjectRuntime(
            base,
            project_id=stored.id,
            name=stored.name or base.name,
            store=self.store,
            source=source,
            active_experiment_id=active if active != -1 else None,
            view=stored.view,
            runner=self.runner,
            is_public=stored.is_public,
            owned=True,
            owner_id=self.ownership.owner_of(stored.id),
        )
        with self._lock:
            self._runtimes[stored.id] = runtime
        return runtime

    def find(self, project_id: Any, viewer: Viewer) -> ProjectRuntime | None:
        """The project with this id that `viewer` may see: a registered project, or a saved
        copy that is public or theirs. Another user's private copy is not found, as none."""
        runtime = self.runtime_by_id(project_id)
        if runtime is None or not runtime.owned:
            return runtime
        stored = self.store.project_info(runtime.id)  # another server may have shared it
        if stored is not None:
            runtime.is_public = stored.is_public
        public = runtime.is_public
        return runtime if may_see(viewer, public=public, owner_id=runtime.owner_id) else None

    def persist(self, volatile: ProjectRuntime, owner_id: int | None = None) -> ProjectRuntime:
        """Store a project loaded from JSON content as a persisted project of its own, with a
        new id: it loads by that id from now on, after a restart too (as Java's
        persistProject stores a volatile project in its database). In accounts mode, also a
        copy of any project a user may read, owned by `owner_id`."""
        base = volatile.project
        records = volatile.records()
        new_id = self.store.new_project_id(p.id for p in self.projects.all())
        active = volatile.to_json(records)["activeExperimentId"]
        self.store.save_project(
            new_id,
            name=volatile.name,
            base=base.name,
            active_experiment_id=active,
            view=volatile.view,
        )
        self.store.seed(new_id, [replace(r, results=None) for r in records])
        self.ownership.claim(new_id, owner_id)
        stored = self.store.project_info(new_id) or StoredProject(new_id, volatile.name)
        return self._copy_runtime(base, stored)

    def volatile_runtime(self, base: Project, spec: ProjectSpec) -> ProjectRuntime:
        """A project loaded from JSON: its own name and experiments over `base`'s model."""
        shared = self.runtime_for(base)
        project_id = random.randint(10**6, 10**9)  # as Java: a volatile project gets a random id
        store = MemoryExperimentStore()
        store.seed(project_id, spec.experiments or [record_of(e) for e in base.experiments])
        source = shared.source
        if spec.experiments and not base.experiments:
            # Experiments need the `time` variable: give this project a model of its own with it.
            source = ModelSource(self.reader.bind(base.build_model), with_time=True)
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

    @property
    def interpreters(self) -> InterpreterRegistry:
        """The application's model interpreters."""
        return self.reader.interpreters

    def project_list(self, viewer: Viewer | None = None) -> list[dict[str, Any]]:
        """The projects `viewer` may see as project JSON (what GET /projects answers): the
        registered ones, then the persisted copies that are public or theirs (every one
        without a viewer)."""
        out = [self.runtime_for(p).to_json() for p in self.projects.all()]
        registered = {p.id for p in self.projects.all()}
        for stored in self.store.copies():
            runtime = None if stored.id in registered else self.runtime_by_id(stored.id)
            if runtime is None:
                continue
            runtime.is_public = stored.is_public
            seen = viewer is None or may_see(
                viewer, public=stored.is_public, owner_id=runtime.owner_id
            )
            if seen:
                out.append(runtime.to_json())
        return out


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
