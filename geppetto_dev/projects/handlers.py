"""The default handlers of the project, model and experiment conversation the clients hold.

Registered in the protocol's built-in registry when `geppetto_dev.projects` is imported (the
server always imports it), so a project's own `@handler` for any of these types still wins.
They are synchronous: building, changing and serialising models runs in the thread pool, and
so do the encoding and gzip of the large replies.

Two rules from the real clients shape the answers: messages the client sends on its own
(status polls, view changes, outputs, reconnects) never get an error dialog, and operations a
project does not support get an `info_message`, as Java answers them for volatile projects.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

from geppetto_dev.config import Settings
from geppetto_dev.projects.connection import LoadedProject, state_of
from geppetto_dev.projects.models import plain_path
from geppetto_dev.projects.project_json import parse_project, project_loaded
from geppetto_dev.projects.registry import Project, as_id, default_projects
from geppetto_dev.projects.runtime import ProjectRuntime, runtime_for, volatile_runtime
from geppetto_dev.projects.store import COMPLETED, ERROR, ExperimentRecord
from geppetto_dev.protocol import messages
from geppetto_dev.protocol.registry import Reply, builtin_registry
from geppetto_dev.protocol.session import Session

__all__ = ["UNSUPPORTED"]

log = logging.getLogger("geppetto_dev.projects")

# User actions of the 0.3.8 UI that need services a Python project may not have (editing a
# persisted project is in editing.py).
UNSUPPORTED = {
    "make_project_public": "making projects public",
    "download_results": "downloading results",
    "upload_model": "uploading models",
    "upload_results": "uploading results",
    "download_project": "downloading projects",
}

ERROR_LOADING_PROJECT = "error_loading_project"
ERROR_DOWNLOADING_MODEL = "error_downloading_model"
ERROR_RUNNING_EXPERIMENT = "error_running_experiment"

Handler = Callable[[Session, Any], Any]


class _Refusal(Exception):
    """Ends a handler with one reply (an info_message or an error the client shows)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.type)
        self.reply = reply


def _info(text: str) -> _Refusal:
    return _Refusal(Reply(messages.INFO_MESSAGE, messages.info_message(text)))


def _default(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        def answer(conn: Session, data: Any) -> Any:
            try:
                return func(conn, data)
            except _Refusal as refusal:
                return refusal.reply

        answer.__name__ = answer.__qualname__ = func.__name__
        answer.__module__ = func.__module__
        answer.__doc__ = func.__doc__
        builtin_registry.add(kind, answer)
        return func

    return register


# Reading requests --------------------------------------------------------------------------


def _obj(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    raise ValueError(f"expected a JSON object, got {type(data).__name__}")


def _loaded(conn: Session, data: Any) -> LoadedProject:
    """The project named by data's projectId, as loaded on this connection."""
    project_id = as_id(_obj(data).get("projectId"))
    loaded = state_of(conn).loaded(project_id)
    if loaded is None:
        raise _info(f"project {project_id} is not loaded on this connection: load it first")
    return loaded


def _experiment(loaded: LoadedProject, data: Any) -> ExperimentRecord:
    experiment_id = as_id(_obj(data).get("experimentId"))
    record = loaded.runtime.record(experiment_id) if experiment_id is not None else None
    if record is None:
        raise _info(f"project {loaded.runtime.name!r} has no experiment {experiment_id}")
    return record


def _raw_text(conn: Session, data: Any) -> str:
    """load_project_from_url/_content data as the client sent it ("42" stays a string)."""
    raw = conn.request.raw_data if conn.request is not None else data
    if isinstance(raw, str):
        return raw
    return data if isinstance(data, str) else json.dumps(data)


# Loading -----------------------------------------------------------------------------------


def _not_found(what: str) -> _Refusal:
    known = ", ".join(f"{p.id} ({p.name})" for p in default_projects.all()) or "none"
    return _Refusal(
        Reply(ERROR_LOADING_PROJECT, {"message": f"{what}; registered projects: {known}"})
    )


def _load(conn: Session, runtime: ProjectRuntime, experiment_id: int | None) -> list[Reply]:
    """project_loaded, geppetto_model_loaded, then the experiment, all with the requestID."""
    model = runtime.source.open()
    records = runtime.records()
    loaded = LoadedProject(runtime, model)
    state_of(conn).add(loaded, records)
    replies = [
        Reply(
            "project_loaded",
            project_loaded(runtime.to_json(records), persisted=runtime.persisted),
        ),
        Reply("geppetto_model_loaded", {"geppetto_model_loaded": model.delta()}),
    ]
    active = runtime.to_json(records)["activeExperimentId"]
    chosen = experiment_id if experiment_id not in (None, -1) else active
    record = next((r for r in records if r.id == chosen), None)
    if record is not None:
        replies += _experiment_replies(loaded, record)
    return replies


def _experiment_replies(loaded: LoadedProject, record: ExperimentRecord) -> list[Reply]:
    state = loaded.model.experiment_state(
        record.id,
        loaded.runtime.id,
        _existing(loaded, record.watched),
        record.results if record.status == COMPLETED else None,
        _model_parameters(loaded, record),
    )
    return [
        Reply("experiment_loading", {"experiment_loading": ""}),
        Reply("experiment_loaded", {"experiment_loaded": state}),
    ]


def _model_parameters(loaded: LoadedProject, record: ExperimentRecord) -> list[tuple[str, float]]:
    """Parameters that name model variables go into the state; others are the run's own."""
    return [(p, v) for p, v in record.parameters if loaded.model.has_path(p)]


def _existing(loaded: LoadedProject, paths: Sequence[str]) -> list[str]:
    """Only paths in the model: the client throws on a recorded path it cannot find."""
    kept = [p for p in paths if loaded.model.has_path(p)]
    if len(kept) != len(paths):
        log.warning(
            "project %r: watched paths not in the model left out: %s",
            loaded.runtime.name,
            ", ".join(sorted(set(paths) - set(kept))),
        )
    return kept


@_default("load_project_from_id")
def load_project_from_id(conn: Session, data: Any) -> list[Reply]:
    request = data if isinstance(data, dict) else {"projectId": data}
    project = default_projects.by_id(request.get("projectId"))
    if project is None:
        raise _not_found(f"no project with id {request.get('projectId')!r}")
    return _load(conn, runtime_for(project), as_id(request.get("experimentId")))


@_default("load_project_from_url")
def load_project_from_url(conn: Session, data: Any) -> list[Reply]:
    url = _raw_text(conn, data).strip()
    project = default_projects.by_url(url)
    if project is not None:
        return _load(conn, runtime_for(project), None)
    if url.lower().startswith(("http://", "https://")):
        try:
            settings = conn.settings
        except RuntimeError:  # a Session made without the app's settings: the safe default
            settings = Settings()
        if not settings.fetch_project_urls:
            raise _not_found(
                f"no project named {url!r} (fetching project URLs is off: set "
                f"fetch-project-urls = true to allow it)"
            )
        return _load_content(conn, _fetch(url, settings.max_message_size))
    raise _not_found(f"no project named {url!r}")


@_default("load_project_from_content")
def load_project_from_content(conn: Session, data: Any) -> list[Reply]:
    return _load_content(conn, _raw_text(conn, data))


def _load_content(conn: Session, text: str) -> list[Reply]:
    try:
        spec = parse_project(text)
    except ValueError as exc:
        raise _Refusal(
            Reply(ERROR_LOADING_PROJECT, {"message": f"not a project JSON: {exc}"})
        ) from None
    base: Project | None = default_projects.by_url(spec.model_url) or default_projects.by_url(
        spec.name
    )
    if base is None and spec.id is not None:
        base = default_projects.by_id(spec.id)
    if base is None:
        raise _not_found(f"the project JSON names no registered project ({spec.model_url!r})")
    return _load(conn, volatile_runtime(base, spec), spec.active_experiment_id)


def _fetch(url: str, limit: int) -> str:
    """Opt-in only: any page that can open the socket could otherwise make us fetch URLs."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body: bytes = response.read(limit + 1)
    except (OSError, ValueError) as exc:
        raise _Refusal(
            Reply(ERROR_LOADING_PROJECT, {"message": f"could not fetch {url}: {exc}"})
        ) from None
    if len(body) > limit:
        raise _Refusal(Reply(ERROR_LOADING_PROJECT, {"message": f"{url} is too large"}))
    return body.decode("utf-8", errors="replace")


# The model ---------------------------------------------------------------------------------


@_default("resolve_import_type")
def resolve_import_type(conn: Session, data: Any) -> Reply:
    loaded = _loaded(conn, data)
    hook = loaded.runtime.project.resolve_type_hook
    if hook is None:
        raise _info(f"project {loaded.runtime.name!r} does not resolve imported types")
    paths = _obj(data).get("paths") or []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValueError("paths must be a list of type paths")
    try:
        delta = loaded.model.resolve_types(paths, hook)
    except KeyError as exc:
        reason = exc.args[0] if exc.args else exc
        raise _info(f"cannot resolve {', '.join(paths)}: {reason}") from None
    return Reply("import_type_resolved", {"import_type_resolved": delta})


@_default("resolve_import_value")
def resolve_import_value(conn: Session, data: Any) -> Reply:
    loaded = _loaded(conn, data)
    hook = loaded.runtime.project.resolve_value_hook
    if hook is None:
        raise _info(f"project {loaded.runtime.name!r} does not resolve imported values")
    path = _obj(data).get("path")
    if not isinstance(path, str) or not loaded.model.has_path(path):
        raise _info(f"no variable {path!r} in project {loaded.runtime.name!r}")
    delta = loaded.model.resolve_value(path, hook)
    return Reply("import_value_resolved", {"import_value_resolved": delta})


@_default("fetch_variable")
def fetch_variable(conn: Session, data: Any) -> Reply:
    loaded = _loaded(conn, data)
    hook = loaded.runtime.project.fetch_variable_hook
    if hook is None:
        raise _info(f"project {loaded.runtime.name!r} has no data source to fetch variables from")
    request = _obj(data)
    delta = loaded.model.fetch_variable(
        str(request.get("variableId") or ""), str(request.get("dataSourceId") or ""), hook
    )
    return Reply("variable_fetched", {"variable_fetched": delta})


@_default("download_model")
def download_model(conn: Session, data: Any) -> Reply:
    loaded = _loaded(conn, data)
    project = loaded.runtime.project
    if project.download_hook is None:
        raise _info(f"project {project.name!r} offers no model download")
    request = _obj(data)
    fmt = str(request.get("format") or "")
    if fmt not in project.download_formats:
        raise _Refusal(
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


@_default("get_supported_outputs")
def get_supported_outputs(conn: Session, data: Any) -> Reply:
    try:
        formats = list(_loaded(conn, data).runtime.project.download_formats)
    except _Refusal:
        formats = []  # asked on its own by the client: an empty list, no dialog
    return Reply("get_supported_outputs", {"get_supported_outputs": json.dumps(formats)})


# Experiments -------------------------------------------------------------------------------


@_default("load_experiment")
def load_experiment(conn: Session, data: Any) -> list[Reply]:
    loaded = _loaded(conn, data)
    return _experiment_replies(loaded, _experiment(loaded, data))


@_default("run_experiment")
def run_experiment(conn: Session, data: Any) -> None:
    """No reply, as in Java: the client polls experiment_status."""
    loaded = _loaded(conn, data)
    runtime = loaded.runtime
    record = _experiment(loaded, data)
    if runtime.volatile:
        raise _info(
            f"project {runtime.name!r} was loaded from JSON content: its experiments cannot be "
            "run; load a registered project by id or name to run them"
        )
    hook = runtime.project.run_hook
    if hook is None:
        raise _info(f"project {runtime.name!r} has no way to run experiments")
    if runtime.runner.busy(runtime.id, record.id):
        raise _info(f"experiment {record.name!r} is already running")

    def finished(final: ExperimentRecord, error: BaseException | None) -> None:
        if error is None:
            return
        shown = conn.show_tracebacks  # the exception's text too, like any handler's error
        detail = {
            "error_code": "ERROR_RUNNING_EXPERIMENT",
            "message": f"experiment {final.name!r} failed"
            + (f": {error}" if shown else " (the details are in the server log)"),
            "exception": messages.exception_detail(error, shown),
            "id": final.id,
        }
        conn.send(ERROR_RUNNING_EXPERIMENT, {ERROR_RUNNING_EXPERIMENT: json.dumps(detail)})

    runtime.runner.submit(
        runtime.store, runtime.id, record.id, hook, _results_converter(loaded), finished
    )


def _results_converter(loaded: LoadedProject) -> Callable[[Any], dict[str, Any]]:
    from geppetto_dev.projects.models import to_time_series

    def convert(results: Any) -> dict[str, Any]:
        if not isinstance(results, dict):
            raise TypeError(
                f"a run hook returns {{path: TimeSeries}}, not {type(results).__name__}"
            )
        return {plain_path(str(k)): to_time_series(v) for k, v in results.items()}

    return convert


@_default("experiment_status")
def experiment_status(conn: Session, data: Any) -> Reply:
    """Polled by the client every 2 s; answered for this connection (RUNNING told once)."""
    project_id = as_id(_raw_text(conn, data).strip().strip('"'))
    state = state_of(conn)
    loaded = state.loaded(project_id)
    statuses: list[dict[str, str]] = []
    if loaded is not None:
        for record in loaded.runtime.records():
            statuses.append(
                {
                    "projectID": str(loaded.runtime.id),
                    "experimentID": str(record.id),
                    "status": state.report(loaded.runtime.id, record),
                }
            )
    return Reply("experiment_status", {"update": json.dumps(statuses)})


@_default("get_experiment_state")
def get_experiment_state(conn: Session, data: Any) -> Reply:
    loaded = _loaded(conn, data)
    record = _experiment(loaded, data)
    if record.status != COMPLETED or record.results is None:
        failed = record.status == ERROR and record.error and conn.show_tracebacks
        why = f" ({record.error})" if failed else ""
        raise _info(
            f"experiment {record.name!r} is {record.status}{why}, not COMPLETED: run it first"
        )
    wanted = _obj(data).get("variables")
    watched = list(record.watched)
    if isinstance(wanted, list) and wanted:
        asked = {plain_path(str(p)) for p in wanted}
        watched = [p for p in watched if plain_path(p) in asked]
    state = loaded.model.experiment_state(
        record.id,
        loaded.runtime.id,
        _existing(loaded, watched),
        record.results,
        _model_parameters(loaded, record),
    )
    return Reply("get_experiment_state", {"update": state})


@_default("set_watched_variables")
def set_watched_variables(conn: Session, data: Any) -> Reply:
    loaded = _loaded(conn, data)
    runtime = loaded.runtime
    if runtime.volatile:
        raise _info(f"project {runtime.name!r} was loaded from JSON content: nothing to record")
    record = _experiment(loaded, data)
    request = _obj(data)
    variables = request.get("variables") or []
    if not isinstance(variables, list):
        raise ValueError("variables must be a list of paths")
    paths = [plain_path(str(v)) for v in variables]
    missing = [p for p in paths if not loaded.model.has_path(p)]
    if missing:
        raise _info(f"not in the model of {runtime.name!r}: {', '.join(missing)}")
    watched = [p for p in map(plain_path, record.watched)]
    if request.get("watch", True) is False:
        watched = [p for p in watched if p not in paths]
    else:
        watched += [p for p in paths if p not in watched]
    runtime.store.update(runtime.id, record.id, watched=tuple(watched))
    return Reply("watched_variables_set", {"watched_variables_set": json.dumps(watched)})


@_default("set_experiment_view")
def set_experiment_view(conn: Session, data: Any) -> None:
    """Sent by the client on its own when the view changes: stored, never answered."""
    if not isinstance(data, dict):
        return
    loaded = state_of(conn).loaded(as_id(data.get("projectId")))
    if loaded is None:
        return
    view = data.get("view")
    text = view if isinstance(view, str) or view is None else json.dumps(view)
    experiment_id = as_id(data.get("experimentId"))
    runtime = loaded.runtime
    if experiment_id is None or experiment_id == -1:
        runtime.view = text
    elif runtime.store.get(runtime.id, experiment_id) is not None:
        runtime.store.update(runtime.id, experiment_id, view=text)


@_default("reconnect")
def reconnect(conn: Session, data: Any) -> None:
    """Newer clients send it after a dropped socket; a fresh connection has nothing to restore
    (the client reloads the project), so it is acknowledged by silence, not an error."""
    return None


def _unsupported(kind: str, what: str) -> None:
    def answer(conn: Session, data: Any) -> Reply:
        return Reply(
            messages.INFO_MESSAGE,
            messages.info_message(f"{what[0].upper()}{what[1:]} is not supported by this server."),
        )

    answer.__name__ = answer.__qualname__ = f"unsupported_{kind}"
    builtin_registry.add(kind, answer)


for _kind, _what in UNSUPPORTED.items():
    _unsupported(_kind, _what)
