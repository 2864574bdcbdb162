"""`new_experiment_batch`: several experiments made at once, each with its settings (OSB's
parameter sweeps send it), answered `experiment_batch_created` with the new experiments.

Each experiment is made as `new_experiment` makes one and configured as Java's
`newExperimentBatch` configured it: name, watched variables, model parameters, time step,
duration, simulator and simulator parameters. They run through the usual `run_experiment`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from geppetto_dev.projects.connection_model import plain_path
from geppetto_dev.projects.conversation import info, loaded_project, obj
from geppetto_dev.projects.editing import editable, number
from geppetto_dev.projects.project_json import experiment_json
from geppetto_dev.projects.records import ExperimentRecord
from geppetto_dev.protocol.registry import Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = ["MAX_BATCH", "new_experiment_batch"]

MAX_BATCH = 1000


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object")
    return value


def _record(item: Any, index: int) -> ExperimentRecord:
    spec = obj(item)
    name = spec.get("name") or f"Batch experiment {index + 1}"
    watched = spec.get("watchedVariables") or []
    if not isinstance(watched, list) or not all(isinstance(w, str) for w in watched):
        raise ValueError("watchedVariables must be a list of paths")
    parameters = _mapping(spec.get("modelParameters"), "modelParameters")
    record = ExperimentRecord(
        0,
        str(name),
        watched=tuple(plain_path(w) for w in watched),
        parameters=tuple(
            (plain_path(str(k)), number(parameters, k, positive=False)) for k in parameters
        ),
        instance=str(spec.get("aspectPath") or ""),
        simulator_parameters=tuple(
            (str(k), str(v))
            for k, v in _mapping(spec.get("simulatorParameters"), "simulatorParameters").items()
        ),
    )
    changes: dict[str, Any] = {}
    if spec.get("timeStep") is not None:
        changes["timestep"] = number(spec, "timeStep")
    if spec.get("duration") is not None:
        changes["length"] = number(spec, "duration")
    if spec.get("simulator"):
        changes["simulator_id"] = str(spec["simulator"])
    return replace(record, **changes)


@handler("new_experiment_batch")
def new_experiment_batch(conn: Session, data: Any) -> Reply:
    """`experiment_batch_created`: the new DESIGN experiments, as experiment JSON."""
    if isinstance(data, str):  # the 0.3.8 client stringifies the object twice
        data = json.loads(data)
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    editable(runtime, "creating experiments")
    items = obj(data).get("experiments")
    if not isinstance(items, list) or not items:
        raise ValueError("experiments must be a non-empty list")
    if len(items) > MAX_BATCH:
        raise ValueError(f"a batch holds at most {MAX_BATCH} experiments")
    records = [_record(item, i) for i, item in enumerate(items)]
    missing = sorted({p for r in records for p in r.watched if not loaded.model.has_path(p)})
    if missing:
        raise info(f"not in the model of {runtime.name!r}: {', '.join(missing)}")
    created = [runtime.store.create(runtime.id, r) for r in records]
    payload = json.dumps([experiment_json(r) for r in created])
    return Reply("experiment_batch_created", {"experiment_batch_created": payload})
