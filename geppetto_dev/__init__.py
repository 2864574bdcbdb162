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
    from geppetto_dev.projects import Experiment, Project, RunRequest
    from geppetto_dev.projects.data_sources import DataSource, QueryContext, QueryProcessors
    from geppetto_dev.projects.project import project
    from geppetto_dev.protocol import Answer, Registry, Reply, Session, handler
    from geppetto_dev.server import Server, page_blueprint
    from geppetto_dev.storage import Database, database

__all__ = [
    "Answer",
    "DataSource",
    "Database",
    "Experiment",
    "GeppettoApp",
    "GeppettoDevError",
    "Project",
    "QueryContext",
    "QueryProcessors",
    "Registry",
    "Reply",
    "RunRequest",
    "Server",
    "Session",
    "Settings",
    "TestClient",
    "database",
    "handler",
    "load_settings",
    "model",
    "page_blueprint",
    "project",
    "register_blueprints",
    "register_resources",
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
    "Project": "geppetto_dev.projects",
    "QueryContext": "geppetto_dev.projects.data_sources",
    "QueryProcessors": "geppetto_dev.projects.data_sources",
    "Registry": "geppetto_dev.protocol",
    "Reply": "geppetto_dev.protocol",
    "RunRequest": "geppetto_dev.projects",
    "Server": "geppetto_dev.server",
    "Session": "geppetto_dev.protocol",
    "Settings": "geppetto_dev.config",
    "TestClient": "geppetto_dev.application",
    "database": "geppetto_dev.storage",
    "handler": "geppetto_dev.protocol",
    "load_settings": "geppetto_dev.config",
    "page_blueprint": "geppetto_dev.server",
    "project": "geppetto_dev.projects",
    "register_blueprints": "geppetto_dev.discovery",
    "register_resources": "geppetto_dev.discovery",
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
