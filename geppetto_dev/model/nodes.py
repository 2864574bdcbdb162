"""The nodes of a Geppetto model: libraries, types and variables.

Every node carries two stamps from one process-wide clock: ``born`` (when it was attached to
its container) and ``changed`` (its last change, or a change below it). A connection's
:class:`~geppetto_dev.model.serialize.SyncState` remembers the clock when it was last sent the
model, so the serializer can tell, per connection, what is new (sent whole), what changed (sent
with placeholders for the children that did not) and what that connection already has (a
``{"synched": true}`` placeholder). Nothing about a connection is stored in the model, which is
why one model can be shared by any number of connections.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from geppetto_dev.model.values import ArrayValue, Value

__all__ = [
    "ArrayType",
    "BasicType",
    "CompositeType",
    "CompositeVisualType",
    "GeppettoLibrary",
    "ImportType",
    "Type",
    "Variable",
    "VisualType",
    "tick",
]

_clock = itertools.count(1)
T = TypeVar("T", bound="Type")


def tick() -> int:
    """The next value of the model clock (``next`` on a count is atomic under the GIL)."""
    return next(_clock)


@dataclass(slots=True, eq=False)
class Type:
    """Base of every type; ``ECLASS`` is the EMF class name the clients dispatch on."""

    ECLASS: ClassVar[str] = "Type"

    id: str
    name: str | None = None
    visual_type: Type | None = field(default=None, kw_only=True)
    born: int = field(default=0, init=False, repr=False)
    changed: int = field(default=0, init=False, repr=False)

    @property
    def eclass(self) -> str:
        return self.ECLASS

    def touch(self, stamp: int) -> None:
        self.changed = stamp


@dataclass(slots=True, eq=False)
class BasicType(Type):
    """A type without structure (the common library's Parameter, StateVariable, Text, ...)."""

    kind: str = field(default="SimpleType", kw_only=True)

    @property
    def eclass(self) -> str:
        return self.kind


@dataclass(slots=True, eq=False)
class VisualType(Type):
    ECLASS: ClassVar[str] = "VisualType"

    default_value: Value | None = field(default=None, kw_only=True)


@dataclass(slots=True, eq=False)
class CompositeType(Type):
    ECLASS: ClassVar[str] = "CompositeType"

    variables: list[Variable] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class CompositeVisualType(CompositeType):
    """A visual made of the visual variables it holds (spheres, cylinders, particles, ...)."""

    ECLASS: ClassVar[str] = "CompositeVisualType"


@dataclass(slots=True, eq=False, init=False)
class ArrayType(Type):
    """``size`` copies of ``array_type``; with positions, the clients draw one copy at each."""

    ECLASS: ClassVar[str] = "ArrayType"

    # Set by __init__ below (it takes positions); kw_only only keeps the field order legal.
    array_type: Type = field(kw_only=True)
    size: int = field(kw_only=True)
    default_value: ArrayValue | None = field(kw_only=True)

    def __init__(
        self,
        id: str,
        array_type: Type,
        size: int | None = None,
        *,
        name: str | None = None,
        positions: Iterable[tuple[float, float, float]] | None = None,
        default_value: ArrayValue | None = None,
        visual_type: Type | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.visual_type = visual_type
        self.born = 0
        self.changed = 0
        self.array_type = array_type
        if positions is not None:
            if default_value is not None:
                raise ValueError("give an ArrayType positions or a default_value, not both")
            default_value = ArrayValue.at(positions)
        self.default_value = default_value
        if size is None:
            if default_value is None:
                raise ValueError(f"ArrayType {id!r} needs a size or positions")
            size = len(default_value.elements)
        self.size = size


@dataclass(slots=True, eq=False)
class ImportType(Type):
    """A placeholder the application resolves later (``resolve_import_type``)."""

    ECLASS: ClassVar[str] = "ImportType"

    url: str | None = field(default=None, kw_only=True)
    reference_url: str | None = field(default=None, kw_only=True)
    model_interpreter_id: str | None = field(default=None, kw_only=True)
    autoresolve: bool = field(default=True, kw_only=True)


@dataclass(slots=True, eq=False)
class Variable:
    """A named use of a type, with an optional initial value (drawn, plotted or shown)."""

    id: str
    type: Type
    name: str | None = None
    initial_value: Value | None = None
    born: int = field(default=0, init=False, repr=False)
    changed: int = field(default=0, init=False, repr=False)

    def touch(self, stamp: int) -> None:
        self.changed = stamp


@dataclass(slots=True, eq=False)
class GeppettoLibrary:
    id: str
    name: str | None = None
    types: list[Type] = field(default_factory=list)
    born: int = field(default=0, init=False, repr=False)
    changed: int = field(default=0, init=False, repr=False)

    def add(self, type_: T) -> T:
        """Append a type (never insert: the client's type indexes must stay the server's)."""
        if any(t is type_ for t in self.types):
            raise ValueError(f"type {type_.id!r} is already in library {self.id!r}")
        if any(t.id == type_.id for t in self.types):
            raise ValueError(f"library {self.id!r} already has a type with id {type_.id!r}")
        stamp = tick()
        type_.born = type_.changed = stamp
        self.types.append(type_)
        self.changed = stamp
        return type_

    def touch(self, stamp: int) -> None:
        self.changed = stamp

    def get(self, type_id: str) -> Type:
        for t in self.types:
            if t.id == type_id:
                return t
        raise KeyError(f"library {self.id!r} has no type {type_id!r}")
