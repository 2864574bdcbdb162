"""geppetto-dev: build Geppetto applications with a Python backend.

Everything a project writes code against comes from here:

    from geppetto_dev import Experiment, RunRequest, handler, model as gm, project

Names are imported on first use, so `import geppetto_dev` (and the CLI) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geppetto_dev import model
    from geppetto_dev.application import GeppettoApp, TestClient
    from geppetto_dev.config import Settings, load_settings
    from geppetto_dev.discovery import register_blueprints, register_resources
    from geppetto_dev.errors import GeppettoDevError
    from geppetto_dev.interpreters import (
        Interpreter,
        InterpreterError,
        InterpreterRegistry,
        ModelFile,
        default_interpreters,
    )
    from geppetto_dev.projects import Experiment, Project, RunRequest, read_model
    from geppetto_dev.projects.data_sources import DataSource, QueryContext, QueryProcessors
    from geppetto_dev.projects.project import ModelFileRef, project
    from geppetto_dev.protocol import Answer, Registry, Reply, Session, handler
    from geppetto_dev.server import Server, page_blueprint
    from geppetto_dev.simulators import (
        SimulationError,
        SimulationJob,
        Simulator,
        SimulatorRegistry,
        report_progress,
    )
    from geppetto_dev.storage import Database, database

__all__ = [
    "Answer",
    "DataSource",
    "Database",
    "Experiment",
    "GeppettoApp",
    "GeppettoDevError",
    "Interpreter",
    "InterpreterError",
    "InterpreterRegistry",
    "ModelFile",
    "ModelFileRef",
    "Project",
    "QueryContext",
    "QueryProcessors",
    "Registry",
    "Reply",
    "RunRequest",
    "Server",
    "Session",
    "Settings",
    "SimulationError",
    "SimulationJob",
    "Simulator",
    "SimulatorRegistry",
    "TestClient",
    "database",
    "default_interpreters",
    "handler",
    "load_settings",
    "model",
    "page_blueprint",
    "project",
    "read_model",
    "register_blueprints",
    "register_resources",
    "report_progress",
]
__version__ = "0.1.0"

# Where each public name lives.
_HOMES = {
    "Answer": "geppetto_dev.protocol",
    "DataSource": "geppetto_dev.projects.data_sources",
    "Database": "geppetto_dev.storage",
    "Experiment": "geppetto_dev.projects",
    "GeppettoApp": "geppetto_dev.application",
    "GeppettoDevError": "geppetto_dev.errors",
    "Interpreter": "geppetto_dev.interpreters",
    "InterpreterError": "geppetto_dev.interpreters",
    "InterpreterRegistry": "geppetto_dev.interpreters",
    "ModelFile": "geppetto_dev.interpreters",
    "ModelFileRef": "geppetto_dev.projects.project",
    "Project": "geppetto_dev.projects",
    "QueryContext": "geppetto_dev.projects.data_sources",
    "QueryProcessors": "geppetto_dev.projects.data_sources",
    "Registry": "geppetto_dev.protocol",
    "Reply": "geppetto_dev.protocol",
    "RunRequest": "geppetto_dev.projects",
    "Server": "geppetto_dev.server",
    "Session": "geppetto_dev.protocol",
    "Settings": "geppetto_dev.config",
    "SimulationError": "geppetto_dev.simulators",
    "SimulationJob": "geppetto_dev.simulators",
    "Simulator": "geppetto_dev.simulators",
    "SimulatorRegistry": "geppetto_dev.simulators",
    "TestClient": "geppetto_dev.application",
    "database": "geppetto_dev.storage",
    "default_interpreters": "geppetto_dev.interpreters",
    "handler": "geppetto_dev.protocol",
    "load_settings": "geppetto_dev.config",
    "page_blueprint": "geppetto_dev.server",
    "project": "geppetto_dev.projects",
    "read_model": "geppetto_dev.projects",
    "register_blueprints": "geppetto_dev.discovery",
    "register_resources": "geppetto_dev.discovery",
    "report_progress": "geppetto_dev.simulators",
}


def __getattr__(name: str) -> Any:
    if name == "model":
        return importlib.import_module("geppetto_dev.model")
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'geppetto_dev' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
