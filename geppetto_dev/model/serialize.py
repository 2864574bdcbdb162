"""EMF-JSON, as the Java server's GeppettoSerializer writes it and both clients read it.

``to_json(model)`` is the whole model. ``to_json(model, sync)`` is what one connection needs
next: the whole model the first time, then a delta in which every library, type and variable
that connection already has is a ``{"synched": true}`` placeholder at its own position (the
client skips placeholders but resolves later ``$ref`` indexes against the server's positions).
The :class:`SyncState` is the connection's; the model holds no per-connection state.

The output is compact (no indentation) and omits ``referencedVariables`` (transient in Java):
pygeppetto's indented output is 2.4x the size.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from geppetto_dev.model.model import GeppettoModel
from geppetto_dev.model.nodes import (
    ArrayType,
    CompositeType,
    GeppettoLibrary,
    ImportType,
    Type,
    Variable,
    VisualType,
    tick,
)
from geppetto_dev.model.values import (
    HTML,
    OBJ,
    URL,
    ArrayValue,
    Collada,
    Cylinder,
    ImportValue,
    Particles,
    PhysicalQuantity,
    Point,
    Sphere,
    Text,
    TimeSeries,
    Value,
)

__all__ = ["SyncState", "to_dict", "to_json", "value_to_dict"]

JSONDict = dict[str, Any]
PLACEHOLDER: JSONDict = {"synched": True}
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode


class SyncState:
    """What one connection has been sent of one model: the model clock at its last send."""

    __slots__ = ("model", "seen")

    def __init__(self) -> None:
        self.seen = -1
        self.model: GeppettoModel | None = None

    @property
    def started(self) -> bool:
        return self.seen >= 0

    def reset(self) -> None:
        """Forget what was sent: the next ``to_json`` is the whole model again."""
        self.seen = -1
        self.model = None


def _point(p: Point) -> JSONDict:
    return {"eClass": "Point", "x": p[0], "y": p[1], "z": p[2]}


def _unit(u: str) -> JSONDict:
    return {"eClass": "Unit", "unit": u}


def _sphere(v: Sphere) -> JSONDict:
    return {"eClass": "Sphere", "position": _point(v.position), "radius": v.radius}


def _cylinder(v: Cylinder) -> JSONDict:
    p, d = v.position, v.distal
    return {
        "eClass": "Cylinder",
        "bottomRadius": v.bottom_radius,
        "topRadius": v.top_radius,
        "distal": {"eClass": "Point", "x": d[0], "y": d[1], "z": d[2]},
        "position": {"eClass": "Point", "x": p[0], "y": p[1], "z": p[2]},
    }


def _particles(v: Particles) -> JSONDict:
    return {"eClass": "Particles", "particles": [_point(p) for p in v.particles]}


def _quantity(v: TimeSeries | PhysicalQuantity) -> JSONDict:
    d: JSONDict = {"eClass": "TimeSeries" if isinstance(v, TimeSeries) else "PhysicalQuantity"}
    if v.value is not None:
        d["value"] = v.value
    if v.unit is not None:
        d["unit"] = _unit(v.unit)
    if v.scaling_factor is not None:
        d["scalingFactor"] = v.scaling_factor
    return d


def _array(v: ArrayValue) -> JSONDict:
    elements = []
    for e in v.elements:
        d: JSONDict = {"eClass": "ArrayElement", "index": e.index}
        if e.position is not None:
            d["position"] = _point(e.position)
        elements.append(d)
    return {"eClass": "ArrayValue", "elements": elements}


def _import_value(v: ImportValue) -> JSONDict:
    d: JSONDict = {"eClass": "ImportValue"}
    if v.model_interpreter_id is not None:
        d["modelInterpreterId"] = v.model_interpreter_id
    return d


_VALUE: dict[type, Callable[[Any], JSONDict]] = {
    Sphere: _sphere,
    Cylinder: _cylinder,
    Particles: _particles,
    TimeSeries: _quantity,
    PhysicalQuantity: _quantity,
    Text: lambda v: {"eClass": "Text", "text": v.text},
    HTML: lambda v: {"eClass": "HTML", "html": v.html},
    URL: lambda v: {"eClass": "URL", "url": v.url},
    Collada: lambda v: {"eClass": "Collada", "collada": v.collada},
    OBJ: lambda v: {"eClass": "OBJ", "obj": v.obj},
    ArrayValue: _array,
    ImportValue: _import_value,
}


def value_to_dict(value: Value) -> JSONDict:
    """The EMF-JSON of one value (also used for ExperimentState values)."""
    try:
        return _VALUE[type(value)](value)
    except KeyError:
        raise TypeError(f"{type(value).__name__} is not a Geppetto value") from None


class _Writer:
    """One serialization: the type-ref table is built once, shared ref dicts are reused."""

    __slots__ = ("model", "refs", "seen")

    def __init__(self, model: GeppettoModel, seen: int) -> None:
        self.model = model
        self.seen = seen
        self.refs: dict[int, JSONDict] = {}
        for li, lib in enumerate(model.libraries):
            for ti, t in enumerate(lib.types):
                ref = {"eClass": t.eclass, "$ref": f"//@libraries.{li}/@types.{ti}"}
                self.refs.setdefault(id(t), ref)

    def ref(self, t: Type, user: str) -> JSONDict:
        r = self.refs.get(id(t))
        if r is None:
            raise ValueError(
                f"{user} uses type {t.id!r}, which is in no library of model "
                f"{self.model.id!r}: add it with library.add()"
            )
        return r

    def model_dict(self) -> JSONDict:
        m = self.model
        seen = self.seen
        d: JSONDict = {"eClass": "GeppettoModel", "id": m.id, "name": m.name or m.id}
        d["variables"] = [
            PLACEHOLDER if v.changed <= seen else self.variable(v, seen) for v in m.variables
        ]
        d["libraries"] = [
            PLACEHOLDER if lib.changed <= seen else self.library(lib, seen) for lib in m.libraries
        ]
        return d

    def library(self, lib: GeppettoLibrary, seen: int) -> JSONDict:
        inner = seen if lib.born <= seen else -1
        return {
            "eClass": "GeppettoLibrary",
            "id": lib.id,
            "name": lib.name or lib.id,
            "types": [
                PLACEHOLDER if t.changed <= inner else self.type(t, inner) for t in lib.types
            ],
        }

    def type(self, t: Type, seen: int) -> JSONDict:
        d: JSONDict = {"eClass": t.eclass, "id": t.id, "name": t.name or t.id}
        if t.visual_type is not None:
            d["visualType"] = self.ref(t.visual_type, f"type {t.id!r}")
        if isinstance(t, CompositeType):
            inner = seen if t.born <= seen else -1
            variable = self.variable
            d["variables"] = [
                PLACEHOLDER if v.changed <= inner else variable(v, inner) for v in t.variables
            ]
        elif isinstance(t, ArrayType):
            d["size"] = t.size
            d["arrayType"] = self.ref(t.array_type, f"array type {t.id!r}")
            if t.default_value is not None:
                d["defaultValue"] = _array(t.default_value)
        elif isinstance(t, ImportType):
            if t.url is not None:
                d["url"] = t.url
            if t.reference_url is not None:
                d["referenceURL"] = t.reference_url
            if t.model_interpreter_id is not None:
                d["modelInterpreterId"] = t.model_interpreter_id
            d["autoresolve"] = t.autoresolve
        elif isinstance(t, VisualType) and t.default_value is not None:
            d["defaultValue"] = value_to_dict(t.default_value)
        return d

    def variable(self, v: Variable, seen: int = -1) -> JSONDict:
        r = self.refs.get(id(v.type)) or self.ref(v.type, f"variable {v.id!r}")
        d: JSONDict = {"eClass": "Variable", "id": v.id, "name": v.name or v.id, "types": [r]}
        value = v.initial_value
        if value is not None:
            d["initialValues"] = [
                {
                    "eClass": "TypeToValueMap",
                    "key": r,
                    "value": _VALUE.get(type(value), value_to_dict)(value),
                }
            ]
        return d


def to_dict(model: GeppettoModel, sync: SyncState | None = None) -> JSONDict:
    """The EMF-JSON object of the model (see :func:`to_json`)."""
    if sync is None:
        return _Writer(model, -1).model_dict()
    if sync.model is None:
        sync.model = model
    elif sync.model is not model:
        raise ValueError("this SyncState belongs to another model: use one per model")
    now = tick()
    out = _Writer(model, sync.seen).model_dict()
    sync.seen = now
    return out


def to_json(model: GeppettoModel, sync: SyncState | None = None) -> str:
    """The model as compact EMF-JSON; with ``sync``, the delta that connection needs next."""
    return _dumps(to_dict(model, sync))
