"""Experiments of a loaded project: load one, run it, report its status, send its recorded
state, choose what it records, remember its view. Runs go to the application's runner."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from geppetto_dev.projects.connection import state_of
from geppetto_dev.projects.connection_model import plain_path
from geppetto_dev.projects.conversation import (
    ERROR_RUNNING_EXPERIMENT,
    experiment_of,
    info,
    loaded_project,
    obj,
    raw_text,
)
from geppetto_dev.projects.loading import existing_paths, experiment_replies, model_parameters
from geppetto_dev.projects.ownership import RunRecord
from geppetto_dev.projects.project import as_id
from geppetto_dev.projects.reconnection import restore
from geppetto_dev.projects.records import CANCELED, COMPLETED, ERROR, ExperimentRecord
from geppetto_dev.projects.services import services_of
from geppetto_dev.projects.simulation import run_hook_for
from geppetto_dev.projects.viewer import viewer_of
from geppetto_dev.protocol import messages
from geppetto_dev.protocol.registry import Answer, Reply, handler
from geppetto_dev.protocol.session import Session
from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.tracebacks import short_traceback

__all__ = [
    "UNSUPPORTED",
    "experiment_status",
    "get_experiment_state",
    "load_experiment",
    "reconnect",
    "run_experiment",
    "set_experiment_view",
    "set_watched_variables",
    "stop_experiment",
    "unsupported_handlers",
]

log = logging.getLogger("geppetto_dev.projects")

# User actions of the 0.3.8 UI that need services a Python project may not have (editing a
# persisted project is in editing.py; the project as a whole in persistence.py; results and
# uploads in transfers.py): none left.
UNSUPPORTED: dict[str, str] = {}


@handler("load_experiment")
def load_experiment(conn: Session, data: Any) -> list[Reply]:
    loaded = loaded_project(conn, data)
    return experiment_replies(loaded, experiment_of(loaded, data))


@handler("run_experiment")
def run_experiment(conn: Session, data: Any) -> None:
    """No reply, as in Java: the client polls experiment_status."""
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    record = experiment_of(loaded, data)
    if runtime.volatile:
        raise info(
            f"project {runtime.name!r} was loaded from JSON content: its experiments cannot be "
            "run; load a registered project by id or name to run them"
        )
    if runtime.runner.busy(runtime.id, record.id):
        raise info(f"experiment {record.name!r} is already running")
    services = services_of(conn)
    try:
        hook = run_hook_for(services.simulators, services.reader.root, runtime.project, record)
    except SimulationError as exc:  # an unknown simulator, or one this machine lacks
        log.warning("experiment %s of project %s cannot run: %s", record.id, runtime.id, exc)
        failed = runtime.store.update(runtime.id, record.id, status=ERROR, error=exc.format())
        raise Answer(_run_error(conn, failed, exc)) from None
    if hook is None:
        raise info(f"project {runtime.name!r} has no way to run experiments")

    def finished(final: ExperimentRecord, error: BaseException | None) -> None:
        if error is not None:
            reply = _run_error(conn, final, error)
            conn.send(reply.type, reply.payload)

    queued = runtime.runner.submit(runtime.store, runtime.id, record.id, hook, finished=finished)
    # Runs are attributed to the user who started them: in the log and in the database.
    viewer = viewer_of(conn)
    services.ownership.record_run(
        RunRecord(runtime.id, record.id, queued.run, viewer.user_id, viewer.name)
    )
    log.info(
        "%s started experiment %s of project %s (run %s)",
        viewer.describe(),
        record.id,
        runtime.id,
        queued.run,
    )


def _run_error(conn: Session, record: ExperimentRecord, error: BaseException) -> Reply:
    """error_running_experiment, as the client's error dialog shows it."""
    detail = {
        "error_code": "ERROR_RUNNING_EXPERIMENT",
        "message": f"experiment {record.name!r} failed: {error}",
        "exception": (
            short_traceback(error) if conn.protocol.show_tracebacks else type(error).__name__
        ),
        "id": record.id,
    }
    return Reply(ERROR_RUNNING_EXPERIMENT, {ERROR_RUNNING_EXPERIMENT: json.dumps(detail)})


@handler("stop_experiment")
def stop_experiment(conn: Session, data: Any) -> Reply:
    """A client's Stop (not a 0.3.8 message; `{projectId, experimentId}`): the run's processes
    are killed and the experiment is CANCELED; `experiment_stopped` `{"update": {id, status}}`.
    """
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    record = experiment_of(loaded, data)
    if not runtime.runner.busy(runtime.id, record.id):
        raise info(f"experiment {record.name!r} is {record.status}: there is no run to stop")
    runtime.runner.cancel(runtime.id, record.id)
    stopped = runtime.store.update(
        runtime.id, record.id, status=CANCELED, error="stopped while it ran"
    )
    log.info("experiment %s of project %s stopped", record.id, runtime.id)
    payload = {"id": stopped.id, "status": stopped.status}
    return Reply("experiment_stopped", {"update": json.dumps(payload)})


@handler("experiment_status")
def experiment_status(conn: Session, data: Any) -> Reply:
    """Polled by the client every 2 s; answered for this connection (RUNNING told once)."""
    project_id = as_id(raw_text(conn, data).strip().strip('"'))
    state = state_of(conn)
    loaded = state.loaded(project_id)
    statuses: list[dict[str, Any]] = []
    if loaded is not None:
        runtime = loaded.runtime
        for record in runtime.records():
            status: dict[str, Any] = {
                "projectID": str(runtime.id),
                "experimentID": str(record.id),
                "status": state.report(runtime.id, record),
            }
            # How far a run has got (0 to 1): the workbench's progress bar; others ignore it.
            progress = runtime.runner.progress(runtime.id, record.id)
            if status["status"] == "RUNNING" and progress is not None:
                status["progress"] = round(progress, 4)
            statuses.append(status)
    return Reply("experiment_status", {"update": json.dumps(statuses)})


@handler("get_experiment_state")
def get_experiment_state(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    record = experiment_of(loaded, data)
    if record.status != COMPLETED or record.results is None:
        why = f" ({record.error})" if record.status == ERROR and record.error else ""
        raise info(
            f"experiment {record.name!r} is {record.status}{why}, not COMPLETED: run it first"
        )
    wanted = obj(data).get("variables")
    watched = list(record.watched)
    if isinstance(wanted, list) and wanted:
        asked = {plain_path(str(p)) for p in wanted}
        watched = [p for p in watched if plain_path(p) in asked]
    state = loaded.model.experiment_state(
        record.id,
        loaded.runtime.id,
        existing_paths(loaded, watched),
        record.results,
        model_parameters(loaded, record),
    )
    return Reply("get_experiment_state", {"update": state})


@handler("set_watched_variables")
def set_watched_variables(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    if runtime.volatile:
        raise info(f"project {runtime.name!r} was loaded from JSON content: nothing to record")
    record = experiment_of(loaded, data)
    request = obj(data)
    variables = request.get("variables") or []
    if not isinstance(variables, list):
        raise ValueError("variables must be a list of paths")
    paths = [plain_path(str(v)) for v in variables]
    missing = [p for p in paths if not loaded.model.has_path(p)]
    if missing:
        raise info(f"not in the model of {runtime.name!r}: {', '.join(missing)}")
    watched = [p for p in map(plain_path, record.watched)]
    if request.get("watch", True) is False:
        watched = [p for p in watched if p not in paths]
    else:
        watched += [p for p in paths if p not in watched]
    runtime.store.update(runtime.id, record.id, watched=tuple(watched))
    return Reply("watched_variables_set", {"watched_variables_set": json.dumps(watched)})


@handler("set_experiment_view")
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


@handler("reconnect")
def reconnect(conn: Session, data: Any) -> None:
    """geppetto-meta's client sends it on the socket that replaces a dropped one,
    `{connectionID, projectId}`: the projects the old connection had loaded become this one's
    (reconnection.py). No reply, as jupyter-geppetto sends none; nothing to restore is no error.
    """
    old_id = data.get("connectionID") if isinstance(data, dict) else None
    if not isinstance(old_id, str) or not old_id:
        return None
    state = restore(conn, services_of(conn).lost, old_id)
    if state is not None:
        log.info(
            "%s reconnected: projects %s restored",
            viewer_of(conn).name,
            ", ".join(str(project_id) for project_id in sorted(state.projects)),
        )
    return None


def _unsupported(kind: str, what: str) -> Callable[[Session, Any], Reply]:
    def answer(conn: Session, data: Any) -> Reply:
        return Reply(
            messages.INFO_MESSAGE,
            messages.info_message(f"{what[0].upper()}{what[1:]} is not supported by this server."),
        )

    answer.__name__ = answer.__qualname__ = f"unsupported_{kind}"
    return answer


def unsupported_handlers() -> dict[str, Callable[[Session, Any], Reply]]:
    """An info_message for each UI action this server has no service for."""
    return {kind: _unsupported(kind, what) for kind, what in UNSUPPORTED.items()}
