"""What the default handlers of the project conversation share: how they end with an answer
the client shows, and how they read a request.

Two rules from the real clients shape the answers: messages the client sends on its own
(status polls, view changes, outputs, reconnects) never get an error dialog, and operations a
project does not support get an `info_message`, as Java answers them for volatile projects.
"""

from __future__ import annotations

import json
from typing import Any

from geppetto_dev.projects.connection import LoadedProject, state_of
from geppetto_dev.projects.project import as_id
from geppetto_dev.projects.records import ExperimentRecord
from geppetto_dev.protocol import messages
from geppetto_dev.protocol.registry import Answer, Reply
from geppetto_dev.protocol.session import Session

__all__ = [
    "ERROR_DOWNLOADING_MODEL",
    "ERROR_LOADING_PROJECT",
    "ERROR_RUNNING_EXPERIMENT",
    "experiment_of",
    "info",
    "loaded_project",
    "obj",
    "raw_text",
]

ERROR_LOADING_PROJECT = "error_loading_project"
ERROR_DOWNLOADING_MODEL = "error_downloading_model"
ERROR_RUNNING_EXPERIMENT = "error_running_experiment"


def info(text: str) -> Answer:
    """`raise info("...")`: end the handler with an info_message the client shows."""
    return Answer(Reply(messages.INFO_MESSAGE, messages.info_message(text)))


def obj(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    raise ValueError(f"expected a JSON object, got {type(data).__name__}")


def loaded_project(conn: Session, data: Any) -> LoadedProject:
    """The project named by data's projectId, as loaded on this connection."""
    project_id = as_id(obj(data).get("projectId"))
    loaded = state_of(conn).loaded(project_id)
    if loaded is None:
        raise info(f"project {project_id} is not loaded on this connection: load it first")
    return loaded


def experiment_of(loaded: LoadedProject, data: Any) -> ExperimentRecord:
    experiment_id = as_id(obj(data).get("experimentId"))
    record = loaded.runtime.record(experiment_id) if experiment_id is not None else None
    if record is None:
        raise info(f"project {loaded.runtime.name!r} has no experiment {experiment_id}")
    return record


def raw_text(conn: Session, data: Any) -> str:
    """load_project_from_url/_content data as the client sent it ("42" stays a string)."""
    raw = conn.request.raw_data if conn.request is not None else data
    if isinstance(raw, str):
        return raw
    return data if isinstance(data, str) else json.dumps(data)
