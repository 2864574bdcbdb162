"""Requests about the model of a loaded project: resolve a lazy type or value, fetch a
variable, download the model, list the formats it can be downloaded in. Each calls the
project's hook and sends the client what changed, as a delta."""

from __future__ import annotations

import json
from typing import Any

from geppetto_dev.projects.conversation import (
    ERROR_DOWNLOADING_MODEL,
    info,
    loaded_project,
    obj,
)
from geppetto_dev.protocol.registry import Answer, Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = [
    "download_model",
    "fetch_variable",
    "get_supported_outputs",
    "resolve_import_type",
    "resolve_import_value",
]


@handler("resolve_import_type")
def resolve_import_type(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    hook = loaded.runtime.project.resolve_type_hook
    if hook is None:
        raise info(f"project {loaded.runtime.name!r} does not resolve imported types")
    paths = obj(data).get("paths") or []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValueError("paths must be a list of type paths")
    try:
        delta = loaded.model.resolve_types(paths, hook)
    except KeyError as exc:
        reason = exc.args[0] if exc.args else exc
        raise info(f"cannot resolve {', '.join(paths)}: {reason}") from None
    return Reply("import_type_resolved", {"import_type_resolved": delta})


@handler("resolve_import_value")
def resolve_import_value(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    hook = loaded.runtime.project.resolve_value_hook
    if hook is None:
        raise info(f"project {loaded.runtime.name!r} does not resolve imported values")
    path = obj(data).get("path")
    if not isinstance(path, str) or not loaded.model.has_path(path):
        raise info(f"no variable {path!r} in project {loaded.runtime.name!r}")
    delta = loaded.model.resolve_value(path, hook)
    return Reply("import_value_resolved", {"import_value_resolved": delta})


@handler("fetch_variable")
def fetch_variable(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    request = obj(data)
    source = str(request.get("dataSourceId") or "")
    hook = loaded.runtime.project.fetcher(source)
    if hook is None:
        raise info(f"project {loaded.runtime.name!r} has no data source to fetch variables from")
    delta = loaded.model.fetch_variable(str(request.get("variableId") or ""), source, hook)
    return Reply("variable_fetched", {"variable_fetched": delta})


@handler("download_model")
def download_model(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    project = loaded.runtime.project
    if project.download_hook is None:
        raise info(f"project {project.name!r} offers no model download")
    request = obj(data)
    fmt = str(request.get("format") or "")
    if fmt not in project.download_formats:
        raise Answer(
            Reply(
                ERROR_DOWNLOADING_MODEL,
                {
                    "message": f"project {project.name!r} cannot write format {fmt!r}; "
                    f"it writes {', '.join(project.download_formats)}"
                },
            )
        )
    name, content = project.download_hook(
        loaded.model.model, str(request.get("instancePath") or ""), fmt
    )
    conn.send_file(name, content)
    return Reply("download_model", {"update": ""})


@handler("get_supported_outputs")
def get_supported_outputs(conn: Session, data: Any) -> Reply:
    try:
        formats = list(loaded_project(conn, data).runtime.project.download_formats)
    except Answer:
        formats = []  # asked on its own by the client: an empty list, no dialog
    return Reply("get_supported_outputs", {"get_supported_outputs": json.dumps(formats)})
