"""What the project conversation runs on, owned by one application: its projects, the store of
their experiments, the runner of their runs, the simulators experiments name, the runtime of
each project, and its policy.

Made when the application starts and dropped when it stops; a handler reaches it through its
connection (`services_of(conn)`). Two applications in one process share nothing.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from geppetto_dev.interpreters import InterpreterRegistry, default_interpreters
from geppetto_dev.projects.file_projects import FileProject, ProjectFolder
from geppetto_dev.projects.model_reading import ModelReader
from geppetto_dev.projects.model_source import ModelSource
from geppetto_dev.projects.project import Project, ProjectRegistry
from geppetto_dev.projects.project_json import ProjectSpec
from geppetto_dev.projects.records import ExperimentStore, MemoryExperimentStore, record_of
from geppetto_dev.projects.runs import ExperimentRunner
from geppetto_dev.projects.runtime import ProjectRuntime
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
        *,
        reader: ModelReader | None = None,
        folder: ProjectFolder | None = None,
        simulators: SimulatorRegistry | None = None,
    ) -> None:
        self.projects = projects
        self.store = store
        self.runner = runner
        self.policy = policy or ProjectPolicy()
        # How models are read from files (a project's read_model, file projects), and the
        # project files folder a relative load_project_from_url names a file of.
        self.reader = reader or ModelReader(default_interpreters(), Path.cwd())
        self.folder = folder
        # The simulators an experiment's simulatorId picks (`neuronSimulator`, ...).
        self.simulators = simulators if simulators is not None else default_simulators()
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
                build = self.reader.bind(project.build)
                runtime = ProjectRuntime(
                    project,
                    project_id=project.id,
                    name=self.store.project_name(project.id) or project.name,
                    store=self.store,
                    source=ModelSource(build, with_time=bool(project.experiments)),
                    runner=self.runner,
                    active_experiment_id=active,
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

    @property
    def interpreters(self) -> InterpreterRegistry:
        """The application's model interpreters."""
        return self.reader.interpreters

    def project_list(self) -> list[dict[str, Any]]:
        """Every project as project JSON (what GET /projects answers)."""
        return [self.runtime_for(p).to_json() for p in self.projects.all()]


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
