"""Helper constructors for the variables and values apps build most.

pygeppetto's ``GeppettoModelFactory`` names (``create_sphere``, ...) are in
``geppetto_dev.model.compat``. Variables made here are typed with the shared common library types,
which every model holds at ``libraries[0]``, so they never serialize as ``"$ref": ""`` (the
pygeppetto pitfall of a factory with its own copy of the common library).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from geppetto_dev.model import common
from geppetto_dev.model.nodes import Variable
from geppetto_dev.model.values import (
    HTML,
    URL,
    Cylinder,
    Particles,
    PhysicalQuantity,
    Sphere,
    Text,
    TimeSeries,
    Value,
    point,
)

__all__ = [
    "cylinder",
    "html",
    "parameter",
    "particles",
    "sphere",
    "state_variable",
    "text",
    "time_series",
    "url",
]

_ORIGIN = (0.0, 0.0, 0.0)


def sphere(
    id: str, radius: float = 1.0, position: Sequence[float] = _ORIGIN, *, name: str | None = None
) -> Variable:
    return Variable(id, common.VISUAL, name, Sphere(float(radius), point(position)))


def cylinder(
    id: str,
    bottom_radius: float = 1.0,
    top_radius: float = 1.0,
    position: Sequence[float] = _ORIGIN,
    distal: Sequence[float] = _ORIGIN,
    *,
    name: str | None = None,
) -> Variable:
    """A cylinder from ``position`` (proximal end) to ``distal``, as ThreeDEngine draws it."""
    value = Cylinder(float(bottom_radius), float(top_radius), point(position), point(distal))
    return Variable(id, common.VISUAL, name, value)


def particles(
    id: str, positions: Iterable[Sequence[float]], *, name: str | None = None
) -> Variable:
    return Variable(id, common.PARTICLES, name, Particles([point(p) for p in positions]))


def time_series(values: Iterable[float], unit: str | None = None) -> TimeSeries:
    return TimeSeries([float(v) for v in values], unit)


def state_variable(id: str, value: Value | None = None, *, name: str | None = None) -> Variable:
    """Typed with the common StateVariable; with a TimeSeries it plots without an experiment."""
    return Variable(
        id, common.STATE_VARIABLE, name, value if value is not None else PhysicalQuantity()
    )


def parameter(
    id: str, value: float, unit: str | None = None, *, name: str | None = None
) -> Variable:
    return Variable(id, common.PARAMETER, name, PhysicalQuantity(float(value), unit))


def text(id: str, text: str = "", *, name: str | None = None) -> Variable:
    return Variable(id, common.TEXT, name, Text(text))


def html(id: str, html: str, *, name: str | None = None) -> Variable:
    return Variable(id, common.HTML, name, HTML(html))


def url(id: str, url: str, *, name: str | None = None) -> Variable:
    return Variable(id, common.URL, name, URL(url))
