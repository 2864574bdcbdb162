"""Projects and experiments: register a project in Python, and the default handlers serve it.

    from geppetto_dev import model as gm
    from geppetto_dev.projects import Experiment, RunRequest, project

    @project(id=1, name="demo", experiments=[Experiment(1, "Simulate", watched=["v"])])
    def demo() -> gm.GeppettoModel: ...

Importing this package registers the default handlers of the project, model and experiment
conversation in the protocol's built-in registry (the server always imports it).
"""

from __future__ import annotations

from typing import Any

from geppetto_dev.projects import editing as _editing  # noqa: F401 (registers the editing ones)
from geppetto_dev.projects import handlers as _handlers  # noqa: F401 (registers the defaults)
from geppetto_dev.projects.registry import (
    Experiment,
    Project,
    ProjectRegistry,
    default_projects,
    project,
)
from geppetto_dev.projects.runs import RunRequest, set_executor
from geppetto_dev.projects.runtime import runtime_for, set_store
from geppetto_dev.projects.store import ExperimentRecord, ExperimentStore, MemoryExperimentStore

__all__ = [
    "Experiment",
    "ExperimentRecord",
    "ExperimentStore",
    "MemoryExperimentStore",
    "Project",
    "ProjectRegistry",
    "RunRequest",
    "default_projects",
    "project",
    "project_list",
    "set_executor",
    "set_store",
]


def project_list() -> list[dict[str, Any]]:
    """Every registered project as project JSON (what GET /projects answers)."""
    return [runtime_for(p).to_json() for p in default_projects.all()]
