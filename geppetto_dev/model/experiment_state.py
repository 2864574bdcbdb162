"""ExperimentState EMF-JSON: what ``experiment_loaded`` and ``get_experiment_state`` carry.

Each recorded or set variable is a VariableValue whose Pointer elements ``$ref`` the model's
variables and types; the client turns them back into instance paths and throws for a path that
is not in the model. The Java server always records ``time``, so it is always included here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geppetto_dev.model.geppetto_model import GeppettoModel
from geppetto_dev.model.paths import Pointer, pointer, ref
from geppetto_dev.model.serialize import JSONDict, _dumps, value_to_dict
from geppetto_dev.model.values import PhysicalQuantity, TimeSeries

__all__ = ["experiment_state_dict", "experiment_state_json", "pointer_to_dict"]


def pointer_to_dict(model: GeppettoModel, ptr: Pointer) -> JSONDict:
    elements = []
    for e in ptr.elements:
        d: JSONDict = {
            "eClass": "PointerElement",
            "variable": {"eClass": "Variable", "$ref": ref(model, e.variable)},
            "type": {"eClass": e.type.eclass, "$ref": ref(model, e.type)},
        }
        if e.index is not None:
            d["index"] = e.index
        elements.append(d)
    return {"eClass": "Pointer", "path": ptr.path, "elements": elements}


def _variable_value(
    model: GeppettoModel, path: str, value: TimeSeries | PhysicalQuantity | None
) -> JSONDict:
    d: JSONDict = {
        "eClass": "VariableValue",
        "pointer": pointer_to_dict(model, pointer(model, path)),
    }
    if value is not None:
        d["value"] = value_to_dict(value)
    return d


def experiment_state_dict(
    model: GeppettoModel,
    experiment_id: int,
    project_id: int | str,
    recorded: Sequence[tuple[str, TimeSeries | None]],
    parameters: Sequence[tuple[str, PhysicalQuantity]] = (),
) -> dict[str, Any]:
    """KeyError (naming the path) for a path that is not in the model, ``time`` included."""
    recorded = list(recorded)
    if not any(pointer(model, p).variable.id == "time" and "." not in p for p, _ in recorded):
        try:
            pointer(model, "time")
        except KeyError:
            raise KeyError(
                f"model {model.id!r} has no top-level 'time' variable, which every experiment "
                "state records: call model.ensure_time() when the model is built"
            ) from None
        recorded.insert(0, ("time", None))
    return {
        "eClass": "ExperimentState",
        "experimentId": experiment_id,
        "projectId": project_id,
        "recordedVariables": [_variable_value(model, p, v) for p, v in recorded],
        "setParameters": [_variable_value(model, p, v) for p, v in parameters],
    }


def experiment_state_json(
    model: GeppettoModel,
    experiment_id: int,
    project_id: int | str,
    recorded: Sequence[tuple[str, TimeSeries | None]],
    parameters: Sequence[tuple[str, PhysicalQuantity]] = (),
) -> str:
    """The ExperimentState of one experiment, compact EMF-JSON (not a delta)."""
    return _dumps(experiment_state_dict(model, experiment_id, project_id, recorded, parameters))
