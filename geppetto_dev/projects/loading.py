"""Loading a project: by id, by name or URL, or from project JSON content.

The replies come in the order the clients expect, each with the request's requestID:
project_loaded, geppetto_model_loaded, then (for the active experiment) experiment_loading and
experiment_loaded. Building and serialising the model runs in the thread pool.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from geppetto_dev.interpreters import InterpreterError
from geppetto_dev.interpreters.text import decode_text
from geppetto_dev.projects import file_loading
from geppetto_dev.projects.connection import LoadedProject, state_of
from geppetto_dev.projects.conversation import ERROR_LOADING_PROJECT, raw_text
from geppetto_dev.projects.ownership import may_change
from geppetto_dev.projects.project import Project, as_id
from geppetto_dev.projects.project_json import parse_project, project_loaded
from geppetto_dev.projects.reconnection import keep_on_close
from geppetto_dev.projects.records import COMPLETED, ExperimentRecord
from geppetto_dev.projects.runtime import ProjectRuntime
from geppetto_dev.projects.services import ProjectServices, services_of
from geppetto_dev.projects.viewer import WRITE_PROJECT, viewer_of
from geppetto_dev.protocol.registry import Answer, Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = [
    "existing_paths",
    "experiment_replies",
    "load_project_from_content",
    "load_project_from_id",
    "load_project_from_url",
    "model_parameters",
]

log = logging.getLogger("geppetto_dev.projects")


def _not_found(services: ProjectServices, what: str) -> Answer:
    known = ", ".join(f"{p.id} ({p.name})" for p in services.projects.all()) or "none"
    return Answer(
        Reply(ERROR_LOADING_PROJECT, {"message": f"{what}; registered projects: {known}"})
    )


def _load(conn: Session, runtime: ProjectRuntime, experiment_id: int | None) -> list[Reply]:
    """project_loaded, geppetto_model_loaded, then the experiment, all with the requestID."""
    try:
        model = runtime.source.open()
    except InterpreterError as error:  # a model file that cannot be read: this load only
        raise file_loading.load_failed(services_of(conn), error) from None
    records = runtime.records()
    loaded = LoadedProject(runtime, model)
    state_of(conn).add(loaded, records)
    keep_on_close(conn, services_of(conn).lost)
    viewer = viewer_of(conn)
    writable = viewer.can(WRITE_PROJECT) and may_change(
        viewer, owned=runtime.owned, owner_id=runtime.owner_id
    )
    replies = [
        Reply(
            "project_loaded",
            project_loaded(
                runtime.to_json(records), persisted=runtime.persisted, read_only=not writable
            ),
        ),
        Reply("geppetto_model_loaded", {"geppetto_model_loaded": model.delta()}),
    ]
    active = runtime.to_json(records)["activeExperimentId"]
    chosen = experiment_id if experiment_id not in (None, -1) else active
    record = next((r for r in records if r.id == chosen), None)
    if record is not None:
        replies += experiment_replies(loaded, record)
    return replies


def experiment_replies(loaded: LoadedProject, record: ExperimentRecord) -> list[Reply]:
    state = loaded.model.experiment_state(
        record.id,
        loaded.runtime.id,
        existing_paths(loaded, record.watched),
        record.results if record.status == COMPLETED else None,
        model_parameters(loaded, record),
    )
    return [
        Reply("experiment_loading", {"experiment_loading": ""}),
        Reply("experiment_loaded", {"experiment_loaded": state}),
    ]


def model_parameters(loaded: LoadedProject, record: ExperimentRecord) -> list[tuple[str, float]]:
    """Parameters that name model variables go into the state; others are the run's own."""
    return [(p, v) for p, v in record.parameters if loaded.model.has_path(p)]


def existing_paths(loaded: LoadedProject, paths: Sequence[str]) -> list[str]:
    """Only paths in the model: the client throws on a recorded path it cannot find."""
    kept = [p for p in paths if loaded.model.has_path(p)]
    if len(kept) != len(paths):
        log.warning(
            "project %r: watched paths not in the model left out: %s",
            loaded.runtime.name,
            ", ".join(sorted(set(paths) - set(kept))),
        )
    return kept


@handler("load_project_from_id")
def load_project_from_id(conn: Session, data: Any) -> list[Reply]:
    request = data if isinstance(data, dict) else {"projectId": data}
    services = services_of(conn)
    # Another user's private project is answered as an unknown id: its id tells nothing.
    runtime = services.find(request.get("projectId"), viewer_of(conn))
    if runtime is None:
        raise _not_found(services, f"no project with id {request.get('projectId')!r}")
    return _load(conn, runtime, as_id(request.get("experimentId")))


@handler("load_project_from_url")
def load_project_from_url(conn: Session, data: Any) -> list[Reply]:
    services = services_of(conn)
    url = raw_text(conn, data).strip()
    project = services.projects.by_url(url) or file_loading.folder_project(services, url)
    if project is not None:
        return _load(conn, services.runtime_for(project), None)
    if url.lower().startswith(("http://", "https://")):
        if not services.policy.fetch_project_urls:
            raise _not_found(
                services,
                f"no project named {url!r} (fetching project URLs is off: set "
                f"fetch-project-urls = true to allow it)",
            )
        return _load_fetched(conn, services, url)
    raise _not_found(services, f"no project named {url!r}")


def _load_fetched(conn: Session, services: ProjectServices, url: str) -> list[Reply]:
    """A project JSON naming a registered project is loaded over it; any other is read as a
    Java project, its model fetched relative to it."""
    file = file_loading.fetch_project_file(services, url)
    if file.path.stat().st_size > services.policy.fetch_limit:
        raise Answer(Reply(ERROR_LOADING_PROJECT, {"message": f"{url} is too large"}))
    try:
        spec = parse_project(decode_text(file.read_bytes()))
    except (ValueError, InterpreterError):
        spec = None  # not strict JSON: a Java project file, read leniently below
    if spec is not None and services.projects.by_url(spec.model_url) is not None:
        return _load_content(conn, decode_text(file.read_bytes()))
    return _load(conn, file_loading.fetched_runtime(services, url, file), None)


@handler("load_project_from_content")
def load_project_from_content(conn: Session, data: Any) -> list[Reply]:
    return _load_content(conn, raw_text(conn, data))


def _load_content(conn: Session, text: str) -> list[Reply]:
    try:
        spec = parse_project(text)
    except ValueError as exc:
        raise Answer(
            Reply(ERROR_LOADING_PROJECT, {"message": f"not a project JSON: {exc}"})
        ) from None
    services = services_of(conn)
    projects = services.projects
    base: Project | None = projects.by_url(spec.model_url) or projects.by_url(spec.name)
    if base is None and spec.id is not None:
        base = projects.by_id(spec.id)
    if base is None:
        raise _not_found(
            services, f"the project JSON names no registered project ({spec.model_url!r})"
        )
    return _load(conn, services.volatile_runtime(base, spec), spec.active_experiment_id)
