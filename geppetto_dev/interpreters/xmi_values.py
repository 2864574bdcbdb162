"""Values in an EMF XMI GeppettoModel (initial values of variables, default values of types),
read into :mod:`geppetto_dev.model` values.

EMF leaves out attributes that hold their default (a Point at x=0 has no ``x``) and writes a
many-valued attribute (a TimeSeries' samples) as repeated child elements; both are read here.
A value kind the model has no class for comes back as None, and the caller notes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from geppetto_dev.interpreters.base import InterpreterError
from geppetto_dev.interpreters.xmldoc import Element
from geppetto_dev.model import (
    HTML,
    OBJ,
    URL,
    ArrayElement,
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

__all__ = ["eclass_of", "read_value"]

XSI_TYPE = "http://www.w3.org/2001/XMLSchema-instance type"


def eclass_of(el: Element) -> str | None:
    """The EMF class an element declares (``xsi:type="gep_2:Sphere"`` -> ``Sphere``)."""
    declared = el.qualified.get(XSI_TYPE)
    return declared.rpartition(":")[2] if declared else None


def _float(el: Element, name: str, path: Path | str, default: float | None = 0.0) -> float | None:
    raw = el.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InterpreterError(path, f"{name}={raw!r} is not a number", line=el.line) from None
    if not math.isfinite(value):
        raise InterpreterError(path, f"{name}={raw!r} is not finite", line=el.line)
    return value


def _req(el: Element, name: str, path: Path | str) -> float:
    value = _float(el, name, path)
    assert value is not None
    return value


def _point(el: Element | None, path: Path | str) -> Point:
    if el is None:
        return (0.0, 0.0, 0.0)
    return (_req(el, "x", path), _req(el, "y", path), _req(el, "z", path))


def _child(el: Element, name: str) -> Element | None:
    return next((c for c in el.children if c.name == name), None)


def _unit(el: Element) -> str | None:
    unit = _child(el, "unit")
    return unit.get("unit") if unit is not None else None


def _scaling(el: Element, path: Path | str) -> float | None:
    return _float(el, "scalingFactor", path, None)


def _quantity(el: Element, path: Path | str) -> Value:
    return PhysicalQuantity(_float(el, "value", path, None), _unit(el), _scaling(el, path))


def _series(el: Element, path: Path | str) -> Value:
    texts = (el.get("value") or "").split() + [c.text.strip() for c in el.find_all("value")]
    samples: list[float] = []
    for t in texts:
        try:
            samples.append(float(t))
        except ValueError:
            raise InterpreterError(
                path, f"TimeSeries sample {t!r} is not a number", line=el.line
            ) from None
    return TimeSeries(samples, _unit(el), _scaling(el, path))


def _sphere(el: Element, path: Path | str) -> Value:
    return Sphere(_req(el, "radius", path), _point(_child(el, "position"), path))


def _cylinder(el: Element, path: Path | str) -> Value:
    return Cylinder(
        _req(el, "bottomRadius", path),
        _req(el, "topRadius", path),
        _point(_child(el, "position"), path),
        _point(_child(el, "distal"), path),
    )


def _array(el: Element, path: Path | str) -> Value:
    elements = []
    for e in el.find_all("elements"):
        position = _child(e, "position")
        index = int(_req(e, "index", path))
        elements.append(ArrayElement(index, _point(position, path) if position else None))
    return ArrayValue(elements)


_READERS: dict[str, Callable[[Element, Path | str], Value]] = {
    "PhysicalQuantity": _quantity,
    "TimeSeries": _series,
    "Sphere": _sphere,
    "Cylinder": _cylinder,
    "Particles": lambda el, p: Particles([_point(c, p) for c in el.find_all("particles")]),
    "ArrayValue": _array,
    "Text": lambda el, _: Text(el.get("text", "") or ""),
    "HTML": lambda el, _: HTML(el.get("html", "") or ""),
    "URL": lambda el, _: URL(el.get("url", "") or ""),
    "Collada": lambda el, _: Collada(el.get("collada", "") or ""),
    "OBJ": lambda el, _: OBJ(el.get("obj", "") or ""),
    "ImportValue": lambda el, _: ImportValue(el.get("modelInterpreterId")),
}


def read_value(el: Element, path: Path | str) -> Value | None:
    """The value an element holds, or None for a kind the model has no class for."""
    kind = eclass_of(el)
    if kind is None:
        raise InterpreterError(path, f"<{el.name}> has no xsi:type naming its kind", line=el.line)
    reader = _READERS.get(kind)
    return reader(el, path) if reader else None
