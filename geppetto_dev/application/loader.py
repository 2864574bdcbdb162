"""Loading the project as its settings name it: the Flask app, and the modules of its handler
and project packages (and the app's own module), from which the application collects handlers
and projects."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from flask import Flask

from geppetto_dev.config import Settings
from geppetto_dev.discovery import import_object, import_submodules
from geppetto_dev.errors import GeppettoDevError

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
        flask_app = _load_app(settings.app)
        app_module = [sys.modules[settings.app.partition(":")[0]]]
    else:
        flask_app = Flask("geppetto_dev_default")
    handlers = import_submodules(settings.handlers) if settings.handlers else []
    projects = import_submodules(settings.projects, setting="projects") if settings.projects else []
    # The app's module may declare handlers and projects too (a one-file app).
    return LoadedCode(flask_app, (*app_module, *handlers), (*app_module, *projects))


def _load_app(reference: str) -> Flask:
    target = import_object(reference)
    if not isinstance(target, Flask) and callable(target) and _takes_no_arguments(target):
        target = target()
    if not isinstance(target, Flask):
        raise GeppettoDevError(
            f"{reference} is a {type(target).__name__}, not a Flask app",
            "point --app at a Flask instance or a function that returns one",
        )
    return target


def _takes_no_arguments(func: Callable[..., Any]) -> bool:
    try:
        inspect.signature(func).bind()
    except (TypeError, ValueError):
        return False
    return True
