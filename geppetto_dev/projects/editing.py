"""The handlers that change a persisted project from the UI: new, clone and delete
experiments, save experiment and project properties, set parameters, persist the project.

They work on any ExperimentStore; with the database store (the server's default) every
change is one transaction and survives restarts and reloads. The 0.3.8 client only offers
these actions for persisted projects; a volatile one (loaded from JSON content) gets an
info_message, as the Java server answers it (persisting one is in persistence.py).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

from geppetto_dev.projects.connection_model import plain_path
from geppetto_dev.projects.conversation import experiment_of, info, loaded_project, obj
from geppetto_dev.projects.loading import existing_paths, model_parameters
from geppetto_dev.projects.project_json import experiment_json
from geppetto_dev.projects.records import (
    COMPLETED,
    DESIGN,
    ERROR,
    QUEUED,
    RUNNING,
    ExperimentRecord,
)
from geppetto_dev.projects.runtime import ProjectRuntime
from geppetto_dev.protocol.registry import Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = ["EDITING", "editable", "number"]

EDITING = (
    "new_experiment",
    "clone_experiment",
    "delete_experiment",
    "save_experiment_properties",
    "save_project_properties",
    "set_parameters",
)


def editable(runtime: ProjectRuntime, action: str) -> None:
    if not runtime.persisted:
        raise info(
            f"project {runtime.name!r} is not persisted: {action} needs a project loaded by id"
            " or name (one loaded from JSON content is read-only)"
        )


def _created(record: ExperimentRecord) -> Reply:
    return Reply("experiment_created", {"experiment_created": json.dumps(experiment_json(record))})


@handler("new_experiment")
def new_experiment(conn: Session, data: Any) -> Reply:
    runtime = loaded_project(conn, data).runtime
    editable(runtime, "creating experiments")
    return _created(runtime.store.create(runtime.id, ExperimentRecord(0, "New Experiment")))


@handler("clone_experiment")
def clone_experiment(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    editable(runtime, "cloning experiments")
    source = experiment_of(loaded, data)
    copy = replace(
        source, name=f"{source.name} (copy)", status=DESIGN, run=0, results=None, error=None
    )
    return _created(runtime.store.create(runtime.id, copy))


@handler("delete_experiment")
def delete_experiment(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    editable(runtime, "deleting experiments")
    record = experiment_of(loaded, data)
    runtime.runner.cancel(runtime.id, record.id)  # a run in flight is cancelled, not stored
    runtime.store.delete(runtime.id, record.id)
    if runtime.active_experiment_id == record.id:
        runtime.active_experiment_id = None
    return Reply(
        "experiment_deleted", {"update": json.dumps({"id": record.id, "name": record.name})}
    )


def number(properties: dict[str, Any], key: str, *, positive: bool = True) -> float:
    value = properties[key]
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number, got {value!r}") from None
    if not math.isfinite(number) or (positive and number <= 0):
        kind = "a positive" if positive else "a finite"
        raise ValueError(f"{key} must be {kind} number, got {value!r}")
    return number


# Keys of the client's properties object -> ExperimentRecord fields.
_TEXT = {"name": "name", "description": "description", "script": "script"}
_SIMULATION = {
    "simulatorId": "simulator_id",
    "aspectInstancePath": "instance",
    "conversionServiceId": "conversion_service_id",
}
_NUMBERS = {"timeStep": "timestep", "length": "length"}
# A simulator parameter, as Java's SimulatorConfiguration.parameters keeps it: SP$<name>.
_SIMULATOR_PARAMETER = "SP$"


@handler("save_experiment_properties")
def save_experiment_properties(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    editable(runtime, "saving experiment properties")
    record = experiment_of(loaded, data)
    properties = obj(obj(data).get("properties") or {})
    known = {*_TEXT, *_SIMULATION, *_NUMBERS}
    unknown = [k for k in properties if k not in known and not k.startswith(_SIMULATOR_PARAMETER)]
    if unknown:
        raise info(f"experiments have no property {', '.join(map(repr, unknown))}")
    changes: dict[str, Any] = {}
    for key, field in (_TEXT | _SIMULATION).items():
        if key in properties:
            value = properties[key]
            if not isinstance(value, str) or (field == "name" and not value.strip()):
                raise ValueError(f"{key} must be a non-empty string, got {value!r}")
            changes[field] = value.strip() if field == "name" else value
    if "timeStep" in properties:
        changes["timestep"] = number(properties, "timeStep")
    if "length" in properties:
        changes["length"] = number(properties, "length")
    given = {
        k[len(_SIMULATOR_PARAMETER) :]: str(v)
        for k, v in properties.items()
        if k.startswith(_SIMULATOR_PARAMETER) and len(k) > len(_SIMULATOR_PARAMETER)
    }
    if given:
        changes["simulator_parameters"] = tuple((dict(record.simulator_parameters) | given).items())
    settings = {
        "timestep", "length", "simulator_id", "instance", "conversion_service_id",
        "simulator_parameters",
    } & set(changes)  # fmt: skip
    if settings and record.status in (QUEUED, RUNNING):
        raise info(f"experiment {record.name!r} is {record.status}: change its settings later")
    if record.status == ERROR:
        changes["status"] = DESIGN  # as Java: a failed experiment edited can run again
    saved = runtime.store.update(runtime.id, record.id, **changes)
    return Reply("experiment_props_saved", {"update": json.dumps(experiment_json(saved))})


@handler("save_project_properties")
def save_project_properties(conn: Session, data: Any) -> Reply:
    runtime = loaded_project(conn, data).runtime
    editable(runtime, "saving project properties")
    properties = obj(obj(data).get("properties") or {})
    name = properties.get("name", runtime.name)
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    runtime.name = name.strip()
    runtime.store.save_project(runtime.id, name=runtime.name)
    payload = {"projectID": runtime.id, "name": runtime.name}
    return Reply("project_props_saved", {"update": json.dumps(payload)})


@handler("set_parameters")
def set_parameters(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    editable(runtime, "setting parameters")
    record = experiment_of(loaded, data)
    if record.status != DESIGN:
        raise info(f"experiment {record.name!r} is {record.status}: parameters are set in DESIGN")
    given = obj(obj(data).get("modelParameters") or {})
    parameters = dict(record.parameters)
    for path in given:
        parameters[plain_path(str(path))] = number(given, path, positive=False)
    saved = runtime.store.update(runtime.id, record.id, parameters=tuple(parameters.items()))
    # As Java: the experiment's state with its parameters, the reply that fires the client's
    # Experiment_updated.
    state = loaded.model.experiment_state(
        saved.id,
        runtime.id,
        existing_paths(loaded, saved.watched),
        saved.results if saved.status == COMPLETED else None,
        model_parameters(loaded, saved),
    )
    return Reply("update_model_tree", {"update_model_tree": state})
