"""Loading projects that are files: a file of the project files folder named by a relative
URL, a Java project fetched by http(s) URL (only when the application fetches them), and the
answer a file that cannot be read gets.

A bad file never costs more than its own load: the client gets `error_loading_project` naming
the file and line (paths shown relative to the project folder), the terminal one line, and the
server keeps serving.
"""

from __future__ import annotations

import logging
import os
import random
from pathlib import Path

from geppetto_dev.interpreters import InterpreterError, ModelFile, Origin, read_java_project
from geppetto_dev.projects.conversation import ERROR_LOADING_PROJECT
from geppetto_dev.projects.file_projects import FileProject
from geppetto_dev.projects.model_source import ModelSource
from geppetto_dev.projects.project import Experiment, Project
from geppetto_dev.projects.records import MemoryExperimentStore, record_of
from geppetto_dev.projects.runtime import ProjectRuntime
from geppetto_dev.projects.services import ProjectServices
from geppetto_dev.protocol.registry import Answer, Reply

__all__ = ["fetch_project_file", "fetched_runtime", "folder_project", "load_failed"]

log = logging.getLogger("geppetto_dev.projects")


def _shown(error: InterpreterError, roots: list[Path]) -> str:
    """The error with the server's folders left out of its paths."""
    text = error.format()
    for root in roots:
        text = text.replace(f"{root}{os.sep}", "")
    return text


def load_failed(services: ProjectServices, error: InterpreterError) -> Answer:
    """error_loading_project for a file that cannot be read, and one line in the terminal."""
    roots = [services.reader.root]
    if services.folder is not None:
        roots.insert(0, services.folder.folder)
    message = _shown(error, sorted(roots, key=lambda p: -len(str(p))))
    log.warning("could not load a project: %s", message)
    return Answer(Reply(ERROR_LOADING_PROJECT, {"message": message}))


def folder_project(services: ProjectServices, url: str) -> Project | None:
    """The project of the file a relative URL names in the project files folder (None when it
    names none); a file outside the folder, or one that cannot be read, is an answer."""
    if services.folder is None:
        return None
    try:
        return services.folder.project_for(url, services.projects)
    except InterpreterError as error:
        raise load_failed(services, error) from None


def fetch_project_file(services: ProjectServices, url: str) -> ModelFile:
    """A project file by http(s) URL, through the application's fetcher (cache on disk, size
    limit, timeout, public hosts only)."""
    fetch = services.interpreters.fetch
    if fetch is None:
        raise Answer(
            Reply(
                ERROR_LOADING_PROJECT,
                {"message": f"could not fetch {url}: this application fetches no model files"},
            )
        )
    try:
        return fetch(url)
    except InterpreterError as error:
        raise load_failed(services, error) from None


def fetched_runtime(services: ProjectServices, url: str, file: ModelFile) -> ProjectRuntime:
    """A Java project fetched by URL, as a volatile project (a random id, experiments of its
    own, no runs), as the Java server loaded one; its model's URLs are fetched relative to it."""
    try:
        java = read_java_project(
            Origin(file, url), interpreters=services.interpreters, fetch=services.interpreters.fetch
        )
    except InterpreterError as error:
        raise load_failed(services, error) from None
    model = java.model
    experiments = tuple(Experiment(**e.experiment_fields()) for e in java.experiments)
    project_id = random.randint(10**6, 10**9)  # as Java: a volatile project gets a random id
    project = FileProject(
        id=project_id,
        name=java.name.replace("/", "-") or file.path.name,
        build=lambda: model,
        experiments=experiments,
        persisted=False,
        path=file.path,
        root=file.root,
    )
    store = MemoryExperimentStore()
    store.seed(project_id, [record_of(e) for e in experiments])
    return ProjectRuntime(
        project,
        project_id=project_id,
        name=project.name,
        store=store,
        source=ModelSource(project.build, with_time=True),
        volatile=True,
        active_experiment_id=java.active_experiment_id,
        runner=services.runner,
    )
