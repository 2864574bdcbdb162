"""Loading the project's Flask app and message handlers, as named in the settings."""

from __future__ import annotations

import sys

from flask import Flask

from geppetto_dev.app_reference import find_app
from geppetto_dev.config import Settings
from geppetto_dev.discovery import import_submodules

__all__ = ["load_project"]


def load_project(settings: Settings) -> Flask:
    """Import the project's Flask app (a bare one when none is named) and its handlers."""
    project = str(settings.project_dir)
    if project not in sys.path:
        sys.path.insert(0, project)
    app = find_app(settings.app) if settings.app else Flask("geppetto_dev_default")
    if settings.handlers:
        import_submodules(settings.handlers)
    if settings.projects:
        import_submodules(settings.projects, setting="projects")
    return app
