"""EMF XMI GeppettoModels, the ``.xmi`` files Java Geppetto projects point at.

Libraries, types and variables become :mod:`geppetto_dev.model` objects; references
(``types="//@libraries.0/@types.0"``) are EMF paths into the file's own libraries, which
land after the model's common library here (the serializer writes the new indexes). A library
with id ``common`` is the common library: its types are the model's own. Each ImportType with
a url is resolved by the interpreter its ``modelInterpreterId`` names (unless its
``autoresolve`` is false, as Java left those for ``resolve_import_type``); data sources and
queries are kept as plain records and read into the model's data sources and queries
(``xmi_queries``), which run through query processors registered by ``queryProcessorId``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.imports import InterpreterLookup, Origin, resolve_import_type
from geppetto_dev.interpreters.naming import id_from_filename, safe_id
from geppetto_dev.interpreters.remote import Fetcher
from geppetto_dev.interpreters.xmi_queries import read_queries
from geppetto_dev.interpreters.xmi_values import eclass_of, read_value
from geppetto_dev.interpreters.xmldoc import Element, parse_xml
from geppetto_dev.model import (
    ArrayType,
    ArrayValue,
    BasicType,
    CompositeType,
    CompositeVisualType,
    GeppettoLibrary,
    GeppettoModel,
    ImportType,
    Type,
    Value,
    Variable,
    VisualType,
    common,
)

__all__ = ["XmiModel", "XmiRecord", "read_xmi"]


@dataclass(frozen=True)
class XmiRecord:
    """An element kept as data: its feature (element name), EMF class, attributes, children."""

    feature: str
    kind: str | None
    attributes: Mapping[str, str]
    children: tuple[XmiRecord, ...]
    line: int

    @classmethod
    def of(cls, el: Element) -> XmiRecord:
        kids = tuple(cls.of(c) for c in el.children)
        return cls(el.name, eclass_of(el), dict(el.attrib), kids, el.line)

    def get(self, name: str) -> str | None:
        return self.attributes.get(name)

    def all(self, feature: str) -> tuple[XmiRecord, ...]:
        return tuple(c for c in self.children if c.feature == feature)


@dataclass(eq=False)
class XmiModel:
    """What an XMI file holds: the model, and what the model has no place for yet."""

    model: GeppettoModel
    origin: Origin
    data_sources: tuple[XmiRecord, ...] = ()
    queries: tuple[XmiRecord, ...] = ()
    # ImportTypes left for resolve_import_type (autoresolve false, no url, no interpreters).
    unresolved: list[ImportType] = field(default_factory=list)
    # What was read but dropped (value kinds the model has no class for), for a warning.
    skipped: list[str] = field(default_factory=list)


_COMPOSITE = {"CompositeType": CompositeType, "CompositeVisualType": CompositeVisualType}


class _Builder:
    def __init__(self, root: Element, where: Path | str, model_id: str) -> None:
        self.root = root
        self.where = where
        self.model = GeppettoModel(root.get("id") or model_id, root.get("name"))
        self.types: dict[tuple[int, int], Type] = {}
        self.library_at: dict[int, GeppettoLibrary] = {}
        self.pending: list[tuple[Element, Type]] = []
        self.skipped: list[str] = []

    def error(self, el: Element, message: str) -> InterpreterError:
        return InterpreterError(self.where, message, line=el.line)

    # -- references ----------------------------------------------------------------------------

    def ref(self, text: str, el: Element) -> Type:
        document, _, fragment = text.rpartition("#")
        steps = fragment.lstrip("/").split("/@")
        try:
            indexes = [(s.lstrip("@").split(".")[0], int(s.split(".")[1])) for s in steps]
        except (IndexError, ValueError):
            raise self.error(
                el, f"{text!r} is not an EMF reference (//@libraries.L/@types.T)"
            ) from None
        names = [n for n, _ in indexes]
        if document and names == ["types"]:  # a type of the common library's own file
            t = indexes[0][1]
            if t < len(common.COMMON_TYPES):
                return common.COMMON_TYPES[t]
        elif names == ["libraries", "types"]:
            found = self.types.get((indexes[0][1], indexes[1][1]))
            if found is not None:
                return found
        else:
            raise self.error(el, f"{text!r} does not name a type")
        raise self.error(el, f"{text!r} names a type the file does not define")

    def find_type(self, text: str) -> Type | None:
        """A type reference, None if the file has no such type (data sources' references)."""
        fragment = text.rpartition("#")[2]
        try:
            steps = [s.lstrip("@").split(".") for s in fragment.lstrip("/").split("/@")]
            (lib_name, li), (types_name, ti) = steps
        except ValueError:
            return None
        if (lib_name, types_name) != ("libraries", "types") or not (li + ti).isdigit():
            return None
        return self.types.get((int(li), int(ti)))

    def find_library(self, text: str) -> GeppettoLibrary | None:
        name, _, index = text.rpartition("#")[2].lstrip("/").lstrip("@").partition(".")
        if name != "libraries" or not index.isdigit():
            return None
        return self.library_at.get(int(index))

    def refs(self, el: Element, name: str) -> list[Type]:
        texts = (el.get(name) or "").split()
        texts += [c.get("href") or "" for c in el.find_all(name) if c.get("href")]
        return [self.ref(t, el) for t in texts]

    # -- libraries and types -------------------------------------------------------------------

    def libraries(self) -> None:
        for li, lib_el in enumerate(self.root.find_all("libraries")):
            lib_id = lib_el.get("id") or safe_id(lib_el.get("name") or f"library{li}")
            if lib_id == common.COMMON_ID:
                self.common_library(li, lib_el)
                self.library_at[li] = self.model.common
                continue
            try:
                lib = self.model.add_library(lib_id, lib_el.get("name"))
            except ValueError as e:
                raise self.error(lib_el, str(e)) from None
            self.library_at[li] = lib
            for ti, type_el in enumerate(lib_el.find_all("types")):
                t = self.new_type(type_el, ti)
                try:
                    lib.add(t)
                except ValueError as e:
                    raise self.error(type_el, str(e)) from None
                self.types[(li, ti)] = t
                self.pending.append((type_el, t))

    def common_library(self, li: int, lib_el: Element) -> None:
        ours = {t.id: t for t in common.COMMON_TYPES}
        for ti, type_el in enumerate(lib_el.find_all("types")):
            t = ours.get(type_el.get("id") or "")
            if t is None:
                raise self.error(type_el, f"the common library has no type {type_el.get('id')!r}")
            self.types[(li, ti)] = t

    def new_type(self, el: Element, index: int) -> Type:
        kind = eclass_of(el)
        if kind is None:
            raise self.error(el, "a type without xsi:type naming its kind")
        url = el.get("url")
        fallback = id_from_filename(urlsplit(url).path) if url else f"type{index}"
        type_id = el.get("id") or safe_id(el.get("name") or fallback)
        name = el.get("name") or None
        if kind == "ImportType":
            return ImportType(
                type_id,
                name,
                url=url,
                reference_url=el.get("referenceURL") or None,
                model_interpreter_id=el.get("modelInterpreterId") or None,
                autoresolve=(el.get("autoresolve") or "true").lower() != "false",
            )
        if kind in _COMPOSITE:
            return _COMPOSITE[kind](type_id, name)
        if kind == "VisualType":
            return VisualType(type_id, name)
        if kind == "ArrayType":
            size = el.get("size") or "0"
            if not size.isdigit():
                raise self.error(el, f"ArrayType size {size!r} is not a count")
            return ArrayType(type_id, common.NODE, int(size), name=name)  # arrayType: below
        return BasicType(type_id, name, kind=kind)

    def fill(self, el: Element, t: Type) -> None:
        """What a type refers to, once every type exists."""
        visual = self.refs(el, "visualType")
        if visual:
            t.visual_type = visual[0]
        if isinstance(t, CompositeType):
            t.variables.extend(self.variable(v) for v in el.find_all("variables"))
        elif isinstance(t, ArrayType):
            targets = self.refs(el, "arrayType")
            if not targets:
                raise self.error(el, f"ArrayType {t.id!r} names no arrayType")
            t.array_type = targets[0]
            default = self.default_value(el, t)
            if default is not None and not isinstance(default, ArrayValue):
                raise self.error(el, f"ArrayType {t.id!r} has a default value that is no array")
            t.default_value = default
        elif isinstance(t, VisualType):
            t.default_value = self.default_value(el, t)
        elif el.find_all("defaultValue"):
            self.skipped.append(f"line {el.line}: the default value of {t.eclass} {t.id!r}")

    def default_value(self, el: Element, t: Type) -> Value | None:
        for value_el in el.find_all("defaultValue"):
            value = read_value(value_el, self.where)
            if value is None:
                self.skipped.append(
                    f"line {value_el.line}: a {eclass_of(value_el)} default value of {t.id!r}"
                )
            return value
        return None

    # -- variables -----------------------------------------------------------------------------

    def variable(self, el: Element) -> Variable:
        var_id = el.get("id") or safe_id(el.get("name") or "")
        types = self.refs(el, "types")
        if not types:
            raise self.error(el, f"variable {var_id!r} names no type")
        if len(types) > 1:
            self.skipped.append(f"line {el.line}: types of {var_id!r} after the first")
        value = None
        for entry in el.find_all("initialValues"):
            for value_el in entry.find_all("value"):
                value = read_value(value_el, self.where)
                if value is None:
                    self.skipped.append(
                        f"line {value_el.line}: a {eclass_of(value_el)} value of {var_id!r}"
                    )
            break
        return Variable(var_id, types[0], el.get("name") or None, value)

    def build(self) -> GeppettoModel:
        self.libraries()
        for el, t in self.pending:
            self.fill(el, t)
        for v_el in self.root.find_all("variables"):
            try:
                self.model.add_variable(self.variable(v_el))
            except ValueError as e:
                raise self.error(v_el, str(e)) from None
        return self.model


def _origin(source: Origin | ModelFile | Path | str) -> Origin:
    if isinstance(source, Origin):
        return source
    if isinstance(source, ModelFile):
        return Origin(source)
    return Origin.local(source)


def read_xmi(
    source: Origin | ModelFile | Path | str,
    *,
    interpreters: InterpreterLookup | None = None,
    fetch: Fetcher | None = None,
) -> XmiModel:
    """Read an XMI GeppettoModel; with `interpreters`, resolve its ImportTypes (``autoresolve``
    ones), fetching http(s) URLs only through `fetch`."""
    origin = _origin(source)
    where = origin.url or origin.file.path
    root = parse_xml(origin.file.read_bytes(), where)
    if root.name != "GeppettoModel":
        raise InterpreterError(
            where, f"the root element is <{root.name}>, not an XMI <gep:GeppettoModel>", line=1
        )
    builder = _Builder(root, where, id_from_filename(origin.file.path))
    model = builder.build()
    out = XmiModel(
        model,
        origin,
        tuple(XmiRecord.of(el) for el in root.find_all("dataSources")),
        tuple(XmiRecord.of(el) for el in root.find_all("queries")),
        skipped=builder.skipped,
    )
    found = read_queries(
        out.data_sources,
        out.queries,
        find_type=builder.find_type,
        find_library=builder.find_library,
        skipped=builder.skipped,
    )
    model.data_sources.extend(found.data_sources)
    model.queries.extend(found.queries)
    imports = [t for lib in model.libraries for t in lib.types if isinstance(t, ImportType)]
    for t in imports:
        if interpreters is None or not t.autoresolve or not t.url:
            out.unresolved.append(t)
        else:
            resolve_import_type(model, t, origin, interpreters, fetch)
    return out
