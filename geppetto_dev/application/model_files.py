"""What an application reads model files with, and the projects that are files.

- Its interpreters: the built-in ones, plus those of every `InterpreterRegistry` defined at the
  top of the project's modules (a format of its own, or its own reader for a
  `modelInterpreterId`). http(s) model URLs are fetched only when `fetch-project-urls` is on,
  into the user's cache, size-limited and with a timeout.
- Its file projects: `model-files` (read when the application is made: a file that cannot be
  read stops it, in one line) and every project JSON of the `project-files` folder (read as
  loaded: a broken one is listed and answers its error when loaded).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from geppetto_dev.caches import user_cache_dir
from geppetto_dev.config import Settings
from geppetto_dev.interpreters import InterpreterRegistry, RemoteFetcher, default_interpreters
from geppetto_dev.projects.file_projects import (
    FileProject,
    ProjectFolder,
    open_file_project,
    unique_name,
)
from geppetto_dev.projects.project import ProjectRegistry

__all__ = [
    "FETCH_CACHE",
    "add_file_projects",
    "app_interpreters",
    "model_root",
    "project_folder",
]

log = logging.getLogger("geppetto_dev.projects")

# Where fetched model files are kept, below the user's cache folder.
FETCH_CACHE = "models"


def app_interpreters(settings: Settings, modules: Iterable[ModuleType] = ()) -> InterpreterRegistry:
    """The built-in interpreters, then those the project's modules define."""
    fetch = RemoteFetcher(user_cache_dir() / FETCH_CACHE) if settings.fetch_project_urls else None
    registry = default_interpreters(fetch=fetch)
    for module in modules:
        for value in list(vars(module).values()):
            if isinstance(value, InterpreterRegistry) and value is not registry:
                registry.include(value)
    return registry


def model_root(settings: Settings, path: Path) -> Path:
    """The folder a model file's includes must stay in: the one holding both the file and the
    project folder (`view ../NeuroML2/LEMSexamples/LEMS_x.xml` includes ../examples/...). The
    file is the user's own choice; what clients may name stays in the project files folder."""
    return Path(os.path.commonpath([settings.project_dir.resolve(), path.parent]))


def project_folder(settings: Settings, interpreters: InterpreterRegistry) -> ProjectFolder | None:
    if settings.project_files is None:
        return None
    return ProjectFolder(settings.project_dir / settings.project_files, interpreters)


def add_file_projects(
    settings: Settings, projects: ProjectRegistry, interpreters: InterpreterRegistry
) -> list[FileProject]:
    """Register the model files and the project files folder's projects; the model files'
    projects, in their order."""
    given = []
    for name in settings.model_files:
        path = (settings.project_dir / name).resolve()
        project = open_file_project(path, interpreters, root=model_root(settings, path))
        unique_name(projects, project)
        given.append(projects.add(project))
    folder = project_folder(settings, interpreters)
    for project in folder.scan() if folder is not None else ():
        if project.error is not None:  # one line now; loading it answers the error
            log.warning("project file %s cannot be loaded: %s", project.path, project.error)
        unique_name(projects, project)
        projects.add(project)
    return [p for p in given if isinstance(p, FileProject)]
