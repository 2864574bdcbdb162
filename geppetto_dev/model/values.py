"""Values a variable can hold: the shapes the Geppetto clients draw, plot and display.

Points are plain ``(x, y, z)`` tuples of floats: a 100k-cylinder model holds 200k of them, and
a tuple is the smallest object Python has for three numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "HTML",
    "OBJ",
    "URL",
    "ArrayElement",
    "ArrayValue",
    "Collada",
    "Cylinder",
    "ImportValue",
    "Particles",
    "PhysicalQuantity",
    "Point",
    "Sphere",
    "Text",
    "TimeSeries",
    "Value",
    "point",
]

Point = tuple[float, float, float]
"""A position in space; the serializer writes it as an EMF ``Point``."""


def point(p: Sequence[float]) -> Point:
    """Coerce a 3-sequence to floats (the clients expect doubles: ``0.0``, not ``0``)."""
    x, y, z = p
    return (float(x), float(y), float(z))


@dataclass(slots=True, eq=False)
class Sphere:
    radius: float
    position: Point = (0.0, 0.0, 0.0)


@dataclass(slots=True, eq=False)
class Cylinder:
    bottom_radius: float
    top_radius: float
    position: Point
    distal: Point


@dataclass(slots=True, eq=False)
class Particles:
    particles: list[Point]


@dataclass(slots=True, eq=False)
class Collada:
    collada: str


@dataclass(slots=True, eq=False)
class OBJ:
    obj: str


@dataclass(slots=True, eq=False)
class TimeSeries:
    """Samples of a state variable; ``unit`` is a unit string such as ``"mV"``."""

    value: list[float]
    unit: str | None = None
    scaling_factor: float | None = None


@dataclass(slots=True, eq=False)
class PhysicalQuantity:
    value: float | None = None
    unit: str | None = None
    scaling_factor: float | None = None


@dataclass(slots=True, eq=False)
class Text:
    text: str


@dataclass(slots=True, eq=False)
class HTML:
    html: str


@dataclass(slots=True, eq=False)
class URL:
    url: str


@dataclass(slots=True, eq=False)
class ImportValue:
    """A value resolved lazily (``resolve_import_value``) by the application."""

    model_interpreter_id: str | None = None


@dataclass(slots=True, eq=False)
class ArrayElement:
    index: int
    position: Point | None = None


@dataclass(slots=True, eq=False)
class ArrayValue:
    elements: list[ArrayElement] = field(default_factory=list)

    @classmethod
    def at(cls, positions: Iterable[Sequence[float]]) -> ArrayValue:
        """One element per position, indexed in order (the NetPyNE-UI layout of a population)."""
        return cls([ArrayElement(i, point(p)) for i, p in enumerate(positions)])


Value = (
    Sphere
    | Cylinder
    | Particles
    | Collada
    | OBJ
    | TimeSeries
    | PhysicalQuantity
    | Text
    | HTML
    | URL
    | ImportValue
    | ArrayValue
)
