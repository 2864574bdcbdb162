"""Loading the project's Flask app and message handlers, as named in the settings."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask

from geppetto_dev.config import Settings
from geppetto_dev.discovery import import_object, import_submodules
from geppetto_dev.errors import GeppettoDevError

__all__ = ["load_project"]


def load_project(settings: Settings) -> Flask:
    """Import the project's Flask app (a bare one when none is named) and its handlers."""
    project = str(settings.project_dir)
    if project not in sys.path:
        sys.path.insert(0, project)
    app = _load_app(settings.app) if settings.app else Flask("geppetto_dev_default")
    if settings.handlers:
        import_submodules(settings.handlers)
    if settings.projects:
        import_submodules(settings.projects, setting="projects")
    return app


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
