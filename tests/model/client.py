"""A Python port of what the 0.3.8 client does with model messages (ModelFactory.js).

createGeppettoModel skips ``{"synched": true}`` libraries, types and variables; an ImportType
remembers its index in the JSON ``types`` array (``_index``); ``mergeModel`` matches libraries
and types by path, appends new types and top-level variables, and (``overrideTypes``) swaps a
re-sent type in at the matched ImportType's ``_index``; ``mergeValue`` replaces one variable;
``resolve`` walks a ``$ref`` by splitting it on ``@``. Tests resolve every ``$ref`` of every
message against the model merged this way, as the client does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass(eq=False)
class CVar:
    raw: JSON
    parent: Any = None

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    def path(self) -> str:
        if isinstance(self.parent, CType):
            return f"{self.parent.path()}.{self.id}"
        return self.id


@dataclass(eq=False)
class CType:
    raw: JSON
    parent: CLib | None = None
    index: int | None = None  # only ImportTypes keep it, as the client does
    variables: list[CVar] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def eclass(self) -> str:
        return str(self.raw["eClass"])

    def path(self) -> str:
        assert self.parent is not None
        return f"{self.parent.id}.{self.id}"


@dataclass(eq=False)
class CLib:
    raw: JSON
    types: list[CType] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.raw["id"])


def _synched(raw: JSON) -> bool:
    return bool(raw.get("synched"))


def _variables(raws: list[JSON] | None, parent: Any) -> list[CVar]:
    return [CVar(r, parent) for r in raws or [] if not _synched(r)]


def _types(raws: list[JSON] | None, lib: CLib) -> list[CType]:
    out = []
    for i, r in enumerate(raws or []):
        if _synched(r):
            continue
        t = CType(r, lib, i if r["eClass"] == "ImportType" else None)
        t.variables = _variables(r.get("variables"), t)
        out.append(t)
    return out


@dataclass(eq=False)
class ClientModel:
    libraries: list[CLib] = field(default_factory=list)
    variables: list[CVar] = field(default_factory=list)

    @classmethod
    def create(cls, raw: JSON) -> ClientModel:
        assert raw["eClass"] == "GeppettoModel"
        m = cls()
        m.variables = _variables(raw.get("variables"), m)
        for r in raw.get("libraries") or []:
            if not _synched(r):
                lib = CLib(r)
                lib.types = _types(r.get("types"), lib)
                m.libraries.append(lib)
        return m

    def resolve(self, ref: str) -> CLib | CType | CVar | None:
        """ModelFactory.resolve: strip "geppettoModel#", drop slashes, split on "@"."""
        parts = ref.replace("geppettoModel#", "").replace("/", "").split("@")
        reference: Any = None
        try:
            for part in parts:
                if "." not in part:
                    continue
                index = int(part.split(".")[1])
                if "libraries" in part:
                    reference = self.libraries[index]
                elif "variables" in part:
                    holder = self.variables if reference is None else reference.variables
                    reference = holder[index]
                elif "types" in part:
                    reference = reference.types[index]
        except (IndexError, AttributeError):
            return None
        return reference

    def merge_model(self, raw: JSON, override_types: bool = False) -> None:
        diff = ClientModel.create(raw)
        for dlib in diff.libraries:
            lib = next((x for x in self.libraries if x.id == dlib.id), None)
            if lib is None:
                self.libraries.append(dlib)
                continue
            matched: list[tuple[CType, CType]] = []
            for dt in dlib.types:
                old = next((t for t in lib.types if t.path() == dt.path()), None)
                if old is None:
                    dt.parent = lib
                    lib.types.append(dt)
                else:
                    matched.append((dt, old))
            if override_types:
                for dt, old in matched:
                    # The client writes types[old._index]: a re-sent type that was not an
                    # ImportType would land at types[undefined] and be lost.
                    assert old.index is not None, f"re-sent non-import type {dt.path()}"
                    dt.parent = lib
                    lib.types[old.index] = dt
        for dv in diff.variables:
            if not any(v.path() == dv.path() for v in self.variables):
                dv.parent = self
                self.variables.append(dv)

    def merge_value(self, raw: JSON) -> CVar:
        """mergeValue: the first changed library/type/variable matching by path is replaced."""
        diff = ClientModel.create(raw)
        for dlib in diff.libraries:
            lib = next((x for x in self.libraries if x.id == dlib.id), None)
            if lib is None:
                continue
            for dt in dlib.types:
                t = next((x for x in lib.types if x.path() == dt.path()), None)
                if t is None:
                    continue
                for dv in dt.variables:
                    for i, v in enumerate(t.variables):
                        if v.id == dv.id:
                            dv.parent = t
                            t.variables[i] = dv
                            return dv
        raise AssertionError("mergeValue found no variable to replace")


def refs(node: Any, where: str = "") -> Iterator[tuple[str, JSON]]:
    """Every ``{"$ref": ...}`` object inside a JSON tree, with where it was found."""
    if isinstance(node, dict):
        if "$ref" in node:
            yield where, node
            return
        for k, v in node.items():
            yield from refs(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from refs(v, f"{where}[{i}]")


def walk_server(full: JSON, ref: str) -> JSON | None:
    """The object a ``$ref`` names in the server's full model, by plain JSON indexing."""
    node: Any = full
    for part in ref.replace("geppettoModel#", "").lstrip("/").split("/"):
        key, _, index = part.lstrip("@").partition(".")
        try:
            node = node[key][int(index)]
        except (KeyError, IndexError, TypeError):
            return None
    return node if isinstance(node, dict) else None
