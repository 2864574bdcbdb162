"""Loading the project as its settings name it: the Flask app, and the modules of its handler
and project packages (and the app's own module), from which the application collects handlers
and projects."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from types import ModuleType

from flask import Flask

from geppetto_dev.app_reference import find_app
from geppetto_dev.config import Settings
from geppetto_dev.discovery import import_submodules

__all__ = ["LoadedCode", "load_code"]


@dataclass(frozen=True)
class LoadedCode:
    flask_app: Flask
    handler_modules: tuple[ModuleType, ...]
    project_modules: tuple[ModuleType, ...]


def load_code(settings: Settings) -> LoadedCode:
    """Import the project's Flask app (a bare one when none is named) and its packages."""
    project = str(settings.project_dir)
    if project not in sys.path:
        sys.path.insert(0, project)
    app_module: list[ModuleType] = []
    if settings.app:
        flask_app = find_app(settings.app)
        app_module = [sys.modules[settings.app.partition(":")[0].strip()]]
    else:
        flask_app = Flask("geppetto_dev_default")
    handlers = import_submodules(settings.handlers) if settings.handlers else []
    projects = import_submodules(settings.projects, setting="projects") if settings.projects else []
    # The app's module may declare handlers and projects too (a one-file app).
    return LoadedCode(flask_app, (*app_module, *handlers), (*app_module, *projects))
