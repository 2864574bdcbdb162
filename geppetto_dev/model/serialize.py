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

from geppetto_dev.model.datasources import data_sources_dicts
from geppetto_dev.model.geppetto_model import GeppettoModel
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
_PLACEHOLDER = '{"synched":true}'
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


_str = json.encoder.encode_basestring  # the C encoder of JSON strings (ensure_ascii=False)


def _cylinder_json(v: Cylinder) -> str:
    # The hot path of morphologies (one per neurite section): formatted directly, since
    # building a dict per value and encoding it costs about three times as much. Floats are
    # written with repr(), which is what json writes for finite floats.
    p, d = v.position, v.distal
    return (
        f'{{"eClass":"Cylinder","bottomRadius":{v.bottom_radius!r},"topRadius":{v.top_radius!r},'
        f'"distal":{{"eClass":"Point","x":{d[0]!r},"y":{d[1]!r},"z":{d[2]!r}}},'
        f'"position":{{"eClass":"Point","x":{p[0]!r},"y":{p[1]!r},"z":{p[2]!r}}}}}'
    )


def _sphere_json(v: Sphere) -> str:
    p = v.position
    return (
        f'{{"eClass":"Sphere","position":{{"eClass":"Point","x":{p[0]!r},"y":{p[1]!r},'
        f'"z":{p[2]!r}}},"radius":{v.radius!r}}}'
    )


def _array_json(v: ArrayValue) -> str:
    parts = []
    for e in v.elements:
        p = e.position
        if p is None:
            parts.append(f'{{"eClass":"ArrayElement","index":{e.index:d}}}')
        else:
            parts.append(
                f'{{"eClass":"ArrayElement","index":{e.index:d},"position":{{"eClass":"Point",'
                f'"x":{p[0]!r},"y":{p[1]!r},"z":{p[2]!r}}}}}'
            )
    return '{"eClass":"ArrayValue","elements":[' + ",".join(parts) + "]}"


def _value_json(v: Value) -> str:
    if type(v) is Cylinder:
        return _cylinder_json(v)
    if type(v) is Sphere:
        return _sphere_json(v)
    return _dumps(value_to_dict(v))


class _Writer:
    """One serialization, written as JSON text directly: the type-ref table is built once,
    each library, type and variable is one formatted string (or a placeholder)."""

    __slots__ = ("model", "refs")

    def __init__(self, model: GeppettoModel) -> None:
        self.model = model
        self.refs: dict[int, str] = {}
        for li, lib in enumerate(model.libraries):
            for ti, t in enumerate(lib.types):
                ref = f'{{"eClass":{_str(t.eclass)},"$ref":"//@libraries.{li}/@types.{ti}"}}'
                self.refs.setdefault(id(t), ref)

    def ref(self, t: Type, user: str) -> str:
        r = self.refs.get(id(t))
        if r is None:
            raise ValueError(
                f"{user} uses type {t.id!r}, which is in no library of model "
                f"{self.model.id!r}: add it with library.add()"
            )
        return r

    def model_json(self, seen: int) -> str:
        m = self.model
        variables = ",".join(
            _PLACEHOLDER if v.changed <= seen else self.variable(v) for v in m.variables
        )
        libraries = ",".join(
            _PLACEHOLDER if lib.changed <= seen else self.library(lib, seen) for lib in m.libraries
        )
        extra = ""
        if seen < 0 and (m.data_sources or m.queries):
            sources, queries = data_sources_dicts(m)
            if sources:
                extra += f',"dataSources":{_dumps(sources)}'
            if queries:
                extra += f',"queries":{_dumps(queries)}'
        return (
            f'{{"eClass":"GeppettoModel","id":{_str(m.id)},"name":{_str(m.name or m.id)},'
            f'"variables":[{variables}],"libraries":[{libraries}]{extra}}}'
        )

    def library(self, lib: GeppettoLibrary, seen: int) -> str:
        inner = seen if lib.born <= seen else -1
        types = ",".join(
            _PLACEHOLDER if t.changed <= inner else self.type(t, inner) for t in lib.types
        )
        return (
            f'{{"eClass":"GeppettoLibrary","id":{_str(lib.id)},'
            f'"name":{_str(lib.name or lib.id)},"types":[{types}]}}'
        )

    def type(self, t: Type, seen: int) -> str:
        head = f'{{"eClass":{_str(t.eclass)},"id":{_str(t.id)},"name":{_str(t.name or t.id)}'
        parts = [head]
        if t.visual_type is not None:
            parts.append(f',"visualType":{self.ref(t.visual_type, f"type {t.id!r}")}')
        if isinstance(t, CompositeType):
            inner = seen if t.born <= seen else -1
            variable = self.variable
            body = ",".join(
                _PLACEHOLDER if v.changed <= inner else variable(v) for v in t.variables
            )
            parts.append(f',"variables":[{body}]')
        elif isinstance(t, ArrayType):
            parts.append(f',"size":{t.size:d}')
            parts.append(f',"arrayType":{self.ref(t.array_type, f"array type {t.id!r}")}')
            if t.default_value is not None:
                parts.append(f',"defaultValue":{_array_json(t.default_value)}')
        elif isinstance(t, ImportType):
            extra: JSONDict = {}
            if t.url is not None:
                extra["url"] = t.url
            if t.reference_url is not None:
                extra["referenceURL"] = t.reference_url
            if t.model_interpreter_id is not None:
                extra["modelInterpreterId"] = t.model_interpreter_id
            extra["autoresolve"] = t.autoresolve
            parts.append("," + _dumps(extra)[1:-1])
        elif isinstance(t, VisualType) and t.default_value is not None:
            parts.append(f',"defaultValue":{_value_json(t.default_value)}')
        parts.append("}")
        return "".join(parts)

    def variable(self, v: Variable) -> str:
        r = self.refs.get(id(v.type)) or self.ref(v.type, f"variable {v.id!r}")
        vid = _str(v.id)
        name = vid if v.name is None else _str(v.name)
        value = v.initial_value
        if value is None:
            return f'{{"eClass":"Variable","id":{vid},"name":{name},"types":[{r}]}}'
        vt = type(value)
        if vt is Cylinder:
            text = _cylinder_json(value)  # type: ignore[arg-type]
        elif vt is Sphere:
            text = _sphere_json(value)  # type: ignore[arg-type]
        else:
            text = _dumps(value_to_dict(value))
        return (
            f'{{"eClass":"Variable","id":{vid},"name":{name},"types":[{r}],'
            f'"initialValues":[{{"eClass":"TypeToValueMap","key":{r},"value":{text}}}]}}'
        )


def _model_json(model: GeppettoModel, sync: SyncState | None) -> str:
    if sync is None:
        return _Writer(model).model_json(-1)
    if sync.model is None:
        sync.model = model
    elif sync.model is not model:
        raise ValueError("this SyncState belongs to another model: use one per model")
    now = tick()
    out = _Writer(model).model_json(sync.seen)
    sync.seen = now
    return out


def to_dict(model: GeppettoModel, sync: SyncState | None = None) -> JSONDict:
    """The EMF-JSON object of the model (see :func:`to_json`); same sync semantics."""
    out: JSONDict = json.loads(_model_json(model, sync))
    return out


def to_json(model: GeppettoModel, sync: SyncState | None = None) -> str:
    """The model as compact EMF-JSON; with ``sync``, the delta that connection needs next.

    The first call with a new SyncState is the whole model; each later call is a delta in
    which what that connection was already sent is a ``{"synched": true}`` placeholder.
    """
    return _model_json(model, sync)
