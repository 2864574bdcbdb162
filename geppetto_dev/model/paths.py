"""Paths into a model: EMF ``$ref`` strings and instance-path pointers, with client semantics.

``$ref`` strings are what both clients resolve by splitting on ``/@``:
``//@libraries.L/@types.T[/@variables.V]`` and ``//@variables.V``. Instance paths are what the
client sends and records (``net.pop[2].v``, optionally typed: ``net(net).pop(pop)[2].v``); a
:class:`Pointer` holds one (variable, type, index) element per token, as the Java server's
``PointerUtility.getPointer`` builds them for an ``ExperimentState``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geppetto_dev.model.nodes import ArrayType, CompositeType, GeppettoLibrary, Type, Variable

if TYPE_CHECKING:
    from geppetto_dev.model.geppetto_model import GeppettoModel

__all__ = [
    "Pointer",
    "PointerElement",
    "container_of",
    "find_type",
    "library_of",
    "pointer",
    "ref",
    "type_refs",
]

_TOKEN = re.compile(r"^([^.\[\]()]+)(?:\(([^()]*)\))?(?:\[(\d+)\])?(?:\(([^()]*)\))?$")


@dataclass(slots=True, frozen=True)
class PointerElement:
    variable: Variable
    type: Type
    index: int | None = None


@dataclass(slots=True, frozen=True)
class Pointer:
    path: str
    elements: tuple[PointerElement, ...]

    @property
    def variable(self) -> Variable:
        return self.elements[-1].variable

    @property
    def type(self) -> Type:
        return self.elements[-1].type

    @property
    def instance_path(self) -> str:
        """The typed form, ``net(net).pop(pop)[2].v(StateVariable)``, as Java prints it."""
        parts = []
        for e in self.elements:
            idx = f"[{e.index}]" if e.index is not None else ""
            parts.append(f"{e.variable.id}({e.type.id}){idx}")
        return ".".join(parts)


def type_refs(model: GeppettoModel) -> dict[int, str]:
    """``id(type) -> "//@libraries.L/@types.T"`` for every type in the model's libraries."""
    out: dict[int, str] = {}
    for li, lib in enumerate(model.libraries):
        for ti, t in enumerate(lib.types):
            out.setdefault(id(t), f"//@libraries.{li}/@types.{ti}")
    return out


def library_of(model: GeppettoModel, type_: Type) -> tuple[int, GeppettoLibrary, int]:
    """(library index, library, type index) of a type; KeyError if no library holds it."""
    for li, lib in enumerate(model.libraries):
        for ti, t in enumerate(lib.types):
            if t is type_:
                return li, lib, ti
    raise KeyError(f"type {type_.id!r} is in no library of model {model.id!r}")


def container_of(model: GeppettoModel, var: Variable) -> CompositeType | None:
    """The composite type holding a variable, None for a top-level one; KeyError if absent."""
    if any(v is var for v in model.variables):
        return None
    for lib in model.libraries:
        for t in lib.types:
            if isinstance(t, CompositeType) and any(v is var for v in t.variables):
                return t
    raise KeyError(f"variable {var.id!r} is not in model {model.id!r}")


def ref(model: GeppettoModel, obj: Type | Variable | GeppettoLibrary) -> str:
    """The ``$ref`` string the clients resolve to ``obj``."""
    if isinstance(obj, GeppettoLibrary):
        for li, lib in enumerate(model.libraries):
            if lib is obj:
                return f"//@libraries.{li}"
        raise KeyError(f"library {obj.id!r} is not in model {model.id!r}")
    if isinstance(obj, Variable):
        for vi, v in enumerate(model.variables):
            if v is obj:
                return f"//@variables.{vi}"
        holder = container_of(model, obj)
        assert holder is not None
        vi = next(i for i, v in enumerate(holder.variables) if v is obj)
        return f"{ref(model, holder)}/@variables.{vi}"
    li, _, ti = library_of(model, obj)
    return f"//@libraries.{li}/@types.{ti}"


def find_type(model: GeppettoModel, path: str) -> Type:
    """The type at ``"<library id>.<type id>"``, as the client sends it in resolve_import_type."""
    path = path.removeprefix("Model.")
    lib_id, sep, type_id = path.partition(".")
    if not sep:
        raise KeyError(f"{path!r} is not a type path: expected '<library id>.<type id>'")
    for lib in model.libraries:
        if lib.id == lib_id:
            return lib.get(type_id)
    raise KeyError(f"model {model.id!r} has no library {lib_id!r}")


def _variables_of(t: Type) -> list[Variable] | None:
    if isinstance(t, CompositeType):
        return t.variables
    if isinstance(t, ArrayType) and isinstance(t.array_type, CompositeType):
        return t.array_type.variables
    return None


def pointer(model: GeppettoModel, path: str) -> Pointer:
    """Resolve an instance path; KeyError naming the first token that is not in the model."""
    elements: list[PointerElement] = []
    scope: list[Variable] | None = model.variables
    where = "the model's top-level variables"
    for token in path.split("."):
        m = _TOKEN.match(token.strip())
        if m is None:
            raise KeyError(f"bad token {token!r} in path {path!r}")
        var_id, type_a, index_s, type_b = m.groups()
        type_id = type_a if type_a is not None else type_b
        if scope is None:
            raise KeyError(f"{path!r}: {where} has no variables, so no {var_id!r}")
        var = next((v for v in scope if v.id == var_id), None)
        if var is None:
            raise KeyError(f"{path!r}: no variable {var_id!r} in {where}")
        t = var.type
        if type_id is not None and t.id != type_id:
            raise KeyError(f"{path!r}: variable {var_id!r} has type {t.id!r}, not {type_id!r}")
        index = None
        if index_s is not None:
            if not isinstance(t, ArrayType):
                raise KeyError(f"{path!r}: {var_id!r} is not an array, it cannot take [{index_s}]")
            index = int(index_s)
            if index >= t.size:
                raise KeyError(f"{path!r}: index {index} out of range for {var_id!r} ({t.size})")
        elements.append(PointerElement(var, t, index))
        scope = _variables_of(t)
        where = f"type {(t.array_type if isinstance(t, ArrayType) else t).id!r}"
    return Pointer(path, tuple(elements))
