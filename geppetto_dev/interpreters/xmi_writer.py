"""A GeppettoModel written as EMF XMI, the form Java Geppetto projects keep their model in.

What it writes is what `read_xmi` reads back (and Java's GeppettoModelReader): top-level
variables, then the model's libraries, the common library last as the Java server saved it;
references are EMF paths into the file (``//@libraries.0/@types.3``). Values EMF holds as
many-valued attributes (a TimeSeries' samples) are repeated child elements, as EMF writes them.
The model's data sources and queries are not written (a project built in Python declares its
data sources in Python).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

from geppetto_dev.model import (
    HTML,
    OBJ,
    URL,
    ArrayType,
    ArrayValue,
    BasicType,
    Collada,
    CompositeType,
    Cylinder,
    GeppettoLibrary,
    GeppettoModel,
    ImportType,
    ImportValue,
    Particles,
    PhysicalQuantity,
    Point,
    Sphere,
    Text,
    TimeSeries,
    Type,
    Value,
    Variable,
    VisualType,
    common,
)

__all__ = ["ECORE", "XmiWriteError", "write_xmi"]

ECORE = (
    "https://raw.githubusercontent.com/openworm/org.geppetto.model/development/src/main/"
    "resources/geppettoModel.ecore"
)
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<gep:GeppettoModel\n"
    '    xmi:version="2.0"\n'
    '    xmlns:xmi="http://www.omg.org/XMI"\n'
    '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
    f'    xmlns:gep="{ECORE}"\n'
    f'    xmlns:gep_1="{ECORE}#//types"\n'
    f'    xmlns:gep_2="{ECORE}#//values"'
)
_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


class XmiWriteError(ValueError):
    """A model the XMI form cannot hold (a type in no library of the model)."""


def _attrs(**values: object) -> str:
    """` name="value"` for each value that is not None, in order, escaped."""
    out = []
    for name, value in values.items():
        if value is None:
            continue
        text = _number(value) if isinstance(value, float) else str(value)
        out.append(f' {name}="{escape(text, _ENTITIES)}"')
    return "".join(out)


def _number(value: float) -> str:
    """A double as Java's Double.parseDouble and Python's float read it."""
    return repr(float(value))


def _point(tag: str, p: Point | None, pad: str) -> str:
    if p is None:
        return ""
    x, y, z = p
    return f"{pad}<{tag}{_attrs(x=float(x), y=float(y), z=float(z))}/>\n"


class _Writer:
    def __init__(self, model: GeppettoModel) -> None:
        self.model = model
        own = [lib for lib in model.libraries if lib.id != common.COMMON_ID]
        self.libraries: list[GeppettoLibrary] = [*own, common.common_library()]
        self.refs: dict[int, str] = {}
        for li, lib in enumerate(self.libraries):
            for ti, t in enumerate(lib.types):
                self.refs.setdefault(id(t), f"//@libraries.{li}/@types.{ti}")

    def ref(self, t: Type) -> str:
        found = self.refs.get(id(t))
        if found is None:
            raise XmiWriteError(f"type {t.id!r} is in no library of model {self.model.id!r}")
        return found

    def document(self) -> Iterator[str]:
        yield _HEAD + _attrs(id=self.model.id, name=self.model.name) + ">\n"
        for v in self.model.variables:
            yield from self.variable(v, "  ")
        for lib in self.libraries:
            yield f"  <libraries{_attrs(id=lib.id, name=lib.name)}>\n"
            for t in lib.types:
                yield from self.type(t, "    ")
            yield "  </libraries>\n"
        yield "</gep:GeppettoModel>\n"

    def variable(self, v: Variable, pad: str) -> Iterator[str]:
        key = self.ref(v.type)
        head = f"{pad}<variables{_attrs(id=v.id, name=v.name, types=key)}"
        if v.initial_value is None:
            yield head + "/>\n"
            return
        yield head + ">\n"
        yield f"{pad}  <initialValues{_attrs(key=key)}>\n"
        yield from self.value("value", v.initial_value, pad + "    ")
        yield f"{pad}  </initialValues>\n"
        yield f"{pad}</variables>\n"

    def type(self, t: Type, pad: str) -> Iterator[str]:
        visual = self.ref(t.visual_type) if t.visual_type is not None else None
        head = f'{pad}<types xsi:type="gep_1:{t.eclass}"{_attrs(id=t.id, name=t.name)}'
        if isinstance(t, ImportType):
            autoresolve = None if t.autoresolve else "false"
            yield head + _attrs(
                url=t.url,
                referenceURL=t.reference_url,
                modelInterpreterId=t.model_interpreter_id,
                autoresolve=autoresolve,
                visualType=visual,
            )
            yield "/>\n"
            return
        if isinstance(t, ArrayType):
            head += _attrs(size=t.size, arrayType=self.ref(t.array_type), visualType=visual)
            children = list(self.value("defaultValue", t.default_value, pad + "  "))
        elif isinstance(t, CompositeType):
            head += _attrs(visualType=visual)
            children = [line for v in t.variables for line in self.variable(v, pad + "  ")]
        elif isinstance(t, VisualType):
            head += _attrs(visualType=visual)
            children = list(self.value("defaultValue", t.default_value, pad + "  "))
        else:
            assert isinstance(t, BasicType), t
            head += _attrs(visualType=visual)
            children = []
        if not children:
            yield head + "/>\n"
            return
        yield head + ">\n"
        yield from children
        yield f"{pad}</types>\n"

    def value(self, tag: str, value: Value | None, pad: str) -> Iterator[str]:
        if value is None:
            return
        kind = type(value).__name__
        head = f'{pad}<{tag} xsi:type="gep_2:{kind}"'
        inner = pad + "  "
        if isinstance(value, PhysicalQuantity):
            attrs = _attrs(value=value.value, scalingFactor=value.scaling_factor)
            unit = f"{inner}<unit{_attrs(unit=value.unit)}/>\n" if value.unit is not None else ""
            yield from _element(head + attrs, unit, pad, tag)
        elif isinstance(value, TimeSeries):
            body = f"{inner}<unit{_attrs(unit=value.unit)}/>\n" if value.unit is not None else ""
            body += "".join(f"{inner}<value>{_number(x)}</value>\n" for x in value.value)
            yield from _element(head + _attrs(scalingFactor=value.scaling_factor), body, pad, tag)
        elif isinstance(value, Sphere):
            body = _point("position", value.position, inner)
            yield from _element(head + _attrs(radius=float(value.radius)), body, pad, tag)
        elif isinstance(value, Cylinder):
            attrs = _attrs(
                bottomRadius=float(value.bottom_radius), topRadius=float(value.top_radius)
            )
            body = _point("position", value.position, inner) + _point("distal", value.distal, inner)
            yield from _element(head + attrs, body, pad, tag)
        elif isinstance(value, Particles):
            body = "".join(_point("particles", p, inner) for p in value.particles)
            yield from _element(head, body, pad, tag)
        elif isinstance(value, ArrayValue):
            body = ""
            for e in value.elements:
                if e.position is None:
                    body += f"{inner}<elements{_attrs(index=e.index)}/>\n"
                else:
                    body += f"{inner}<elements{_attrs(index=e.index)}>\n"
                    body += _point("position", e.position, inner + "  ")
                    body += f"{inner}</elements>\n"
            yield from _element(head, body, pad, tag)
        else:
            yield head + _attrs(**_simple(value)) + "/>\n"


def _simple(value: Value) -> dict[str, object]:
    """The one attribute of a value kind that holds a single text."""
    if isinstance(value, Text):
        return {"text": value.text}
    if isinstance(value, HTML):
        return {"html": value.html}
    if isinstance(value, URL):
        return {"url": value.url}
    if isinstance(value, Collada):
        return {"collada": value.collada}
    if isinstance(value, OBJ):
        return {"obj": value.obj}
    if isinstance(value, ImportValue):
        return {"modelInterpreterId": value.model_interpreter_id}
    raise XmiWriteError(f"no XMI form for a {type(value).__name__} value")


def _element(head: str, body: str, pad: str, tag: str) -> Iterator[str]:
    if not body:
        yield head + "/>\n"
    else:
        yield head + ">\n" + body + f"{pad}</{tag}>\n"


def write_xmi(model: GeppettoModel) -> str:
    """The model as an XMI document; XmiWriteError for a type in no library of the model."""
    return "".join(_Writer(model).document())
