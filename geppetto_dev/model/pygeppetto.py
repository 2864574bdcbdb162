"""pygeppetto models (pyecore objects) for the same server: serialize, find, point, replace.

Needs the extra ``geppetto-dev[pygeppetto]``; pygeppetto and pyecore are imported inside the
functions only, so ``import geppetto_dev.model`` stays stdlib-only and fast.

pygeppetto's serializer keeps the sync state IN the model (``synched`` flags it sets while
writing a delta), so a pygeppetto model must not be shared by two connections: give each
connection its own copy. :func:`to_json` re-encodes pygeppetto's output compact and drops its
noise (``referencedVariables``, ``"synched": false``), which the clients ignore anyway.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from typing import Any

from geppetto_dev.model.serialize import JSONDict, _dumps, value_to_dict
from geppetto_dev.model.values import PhysicalQuantity, TimeSeries

__all__ = [
    "experiment_state_json",
    "find_type",
    "is_pygeppetto_model",
    "pointer_to_dict",
    "replace_type",
    "to_dict",
    "to_json",
    "to_xmi",
]


def is_pygeppetto_model(obj: object) -> bool:
    """True for a pygeppetto GeppettoModel, without importing pygeppetto."""
    cls = type(obj)
    return cls.__name__ == "GeppettoModel" and cls.__module__.startswith("pygeppetto")


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _clean(v)
            for k, v in node.items()
            if k != "referencedVariables" and not (k == "synched" and v is False)
        }
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def to_dict(model: Any, delta: bool = False) -> JSONDict:
    """pygeppetto's EMF-JSON of the model; ``delta=True`` marks what it writes as synched."""
    serializer = importlib.import_module("pygeppetto.model.model_serializer")
    out: JSONDict = _clean(json.loads(serializer.serialize(model, delta)))
    return out


def to_json(model: Any, delta: bool = False) -> str:
    return _dumps(to_dict(model, delta))


def to_xmi(model: Any) -> str:
    """The model as EMF XMI, written by pyecore (as pygeppetto saves its own models)."""
    import tempfile
    from pathlib import Path

    resources = importlib.import_module("pyecore.resources")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.xmi"
        resource = resources.ResourceSet().create_resource(resources.URI(str(path)))
        resource.append(model)
        try:
            resource.save()
        finally:
            resource.remove(model)  # the model stays the project's, in no resource
        return path.read_text(encoding="utf-8")


def find_type(model: Any, path: str) -> Any:
    """The type at ``"<library id>.<type id>"`` (the client's resolve_import_type path)."""
    path = path.removeprefix("Model.")
    lib_id, sep, type_id = path.partition(".")
    for lib in model.libraries if sep else ():
        if lib.id == lib_id:
            for t in lib.types:
                if t.id == type_id:
                    return t
    raise KeyError(f"no type {path!r} in the model")


def replace_type(model: Any, old: Any, new: Any) -> Any:
    """Swap ``new`` in at ``old``'s index and re-point its variables, as the Java server does.

    pygeppetto's own ``GeppettoModelAccess.swap_type`` appends instead, which leaves the
    client's type indexes out of line with the server's after a resolve.
    """
    if new.id != old.id:
        raise ValueError(f"replace_type: the new type must keep the id {old.id!r}")
    lib = old.eContainer()
    index = list(lib.types).index(old)
    users = [v for v in model.eAllContents() if type(v).__name__ == "Variable" and old in v.types]
    for var in users:
        i = list(var.types).index(old)
        var.types.remove(old)
        var.types.insert(i, new)
        var.synched = False
    lib.types.remove(old)
    lib.types.insert(index, new)
    lib.synched = False
    new.synched = False
    return new


def pointer_to_dict(model: Any, path: str) -> JSONDict:
    """The Pointer of an instance path, its elements as ``$ref``s into the model."""
    exceptions = importlib.import_module("pygeppetto.model.exceptions")
    pointer_utility = importlib.import_module("pygeppetto.model.utils.pointer_utility")
    try:
        ptr = pointer_utility.get_pointer(model, path)
    except (exceptions.GeppettoModelException, AttributeError, IndexError, ValueError) as exc:
        raise KeyError(f"{path!r} is not in the model: {exc}") from None
    elements = []
    for e in ptr.elements:
        d: JSONDict = {
            "eClass": "PointerElement",
            "variable": {"eClass": "Variable", "$ref": e.variable.eURIFragment()},
            "type": {"eClass": e.type.eClass.name, "$ref": e.type.eURIFragment()},
        }
        if e.index is not None and e.index > -1:
            d["index"] = e.index
        elements.append(d)
    return {"eClass": "Pointer", "path": path, "elements": elements}


def experiment_state_json(
    model: Any,
    experiment_id: int,
    project_id: int | str,
    recorded: Sequence[tuple[str, TimeSeries | None]],
    parameters: Sequence[tuple[str, PhysicalQuantity]] = (),
) -> str:
    """Same as :func:`geppetto_dev.model.experiment_state_json`, for a pygeppetto model."""
    recorded = list(recorded)
    if not any(p.split("(")[0] == "time" for p, _ in recorded):
        if not any(v.id == "time" for v in model.variables):
            raise KeyError(
                "the model has no top-level 'time' variable, which every experiment state "
                "records: add a StateVariable 'time' (unit s) to the model"
            )
        recorded.insert(0, ("time", None))

    def value(path: str, v: TimeSeries | PhysicalQuantity | None) -> JSONDict:
        d: JSONDict = {"eClass": "VariableValue", "pointer": pointer_to_dict(model, path)}
        if v is not None:
            d["value"] = value_to_dict(v)
        return d

    return _dumps(
        {
            "eClass": "ExperimentState",
            "experimentId": experiment_id,
            "projectId": project_id,
            "recordedVariables": [value(p, v) for p, v in recorded],
            "setParameters": [value(p, v) for p, v in parameters],
        }
    )
