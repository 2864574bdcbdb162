"""Projects and experiments: declare a project in Python; the default handlers serve it.

    from geppetto_dev import Experiment, RunRequest, model as gm, project

    @project(id=1, name="demo", experiments=[Experiment(1, "Simulate", watched=["v"])])
    def demo() -> gm.GeppettoModel: ...

A project may read its model from a file (`read_model("models/cell.nml")`) and add to it.

The application collects the projects of its `projects` package and includes the default
handlers (`projects.defaults`); what they run on is owned by it (`projects.services`).
"""

from __future__ import annotations

from geppetto_dev.projects.model_reading import read_model
from geppetto_dev.projects.project import Experiment, Project, ProjectRegistry, RunRequest, project

__all__ = ["Experiment", "Project", "ProjectRegistry", "RunRequest", "project", "read_model"]
