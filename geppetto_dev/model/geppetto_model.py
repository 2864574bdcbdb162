"""The Geppetto model: libraries of types, top-level variables, and the changes the server
makes after the first send (resolve an import, fetch a variable, set a value).

Changes only ever replace in place or append, because the client merges deltas by position:
a type's index in its library is part of every ``$ref`` the client resolves later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geppetto_dev.model import common, factory, paths
from geppetto_dev.model.datasources import DataSource, Query
from geppetto_dev.model.nodes import (
    ArrayType,
    CompositeType,
    GeppettoLibrary,
    Type,
    Variable,
    tick,
)
from geppetto_dev.model.values import PhysicalQuantity, Value

__all__ = ["GeppettoModel"]


@dataclass(slots=True, eq=False)
class GeppettoModel:
    id: str
    name: str | None = None
    libraries: list[GeppettoLibrary] = field(default_factory=list, init=False)
    variables: list[Variable] = field(default_factory=list, init=False)
    # Sent with the whole model only (the clients' merge of a delta ignores them).
    data_sources: list[DataSource] = field(default_factory=list, init=False)
    queries: list[Query] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.libraries.append(common.common_library())

    @property
    def common(self) -> GeppettoLibrary:
        return self.libraries[0]

    # -- building and changing ---------------------------------------------------------------

    def add_library(self, id: str, name: str | None = None) -> GeppettoLibrary:
        """Append a new library (or attach one built elsewhere with ``attach_library``)."""
        return self.attach_library(GeppettoLibrary(id, name))

    def attach_library(self, lib: GeppettoLibrary) -> GeppettoLibrary:
        if any(x.id == lib.id for x in self.libraries):
            raise ValueError(f"model {self.id!r} already has a library {lib.id!r}")
        lib.born = lib.changed = tick()
        self.libraries.append(lib)
        return lib

    def add_variable(self, var: Variable) -> Variable:
        """Append a top-level variable; it shows in the next delta of every connection."""
        if any(v.id == var.id for v in self.variables):
            raise ValueError(f"model {self.id!r} already has a top-level variable {var.id!r}")
        var.born = var.changed = tick()
        self.variables.append(var)
        return var

    def add_data_source(self, source: DataSource) -> DataSource:
        """Add a data source (before the model is first sent: clients read them once)."""
        if any(d.id == source.id for d in self.data_sources):
            raise ValueError(f"model {self.id!r} already has a data source {source.id!r}")
        self.data_sources.append(source)
        return source

    def add_query(self, query: Query) -> Query:
        """Add a top-level query: what the query builder offers for a matching variable."""
        if any(q.id == query.id for q in self.queries):
            raise ValueError(f"model {self.id!r} already has a top-level query {query.id!r}")
        self.queries.append(query)
        return query

    def state_variable(self, id: str, value: Value | None = None) -> Variable:
        """Add a top-level variable typed with the common StateVariable (a TimeSeries plots)."""
        return self.add_variable(factory.state_variable(id, value))

    def parameter(self, id: str, value: float, unit: str | None = None) -> Variable:
        return self.add_variable(factory.parameter(id, value, unit))

    def text_variable(self, id: str, text: str) -> Variable:
        return self.add_variable(factory.text(id, text))

    def html_variable(self, id: str, html: str) -> Variable:
        return self.add_variable(factory.html(id, html))

    def url_variable(self, id: str, url: str) -> Variable:
        return self.add_variable(factory.url(id, url))

    def ensure_time(self) -> Variable:
        """The top-level ``time`` state variable (unit s) experiment states point at."""
        for v in self.variables:
            if v.id == "time":
                return v
        return self.add_variable(factory.state_variable("time", PhysicalQuantity(unit="s")))

    def replace_type(self, old: Type, new: Type) -> Type:
        """Swap ``new`` in at ``old``'s index and re-point everything that used ``old``.

        This is how an ImportType is resolved: the client swaps the type with the same path
        (``library.typeId``) at the same index, so ``new`` must keep ``old``'s id.
        """
        if new.id != old.id:
            raise ValueError(
                f"replace_type: the new type must keep the id {old.id!r} (got {new.id!r}); "
                "the client swaps types by path, a new id would be appended instead"
            )
        _, lib, ti = paths.library_of(self, old)
        stamp = tick()
        lib.types[ti] = new
        new.born = new.changed = stamp
        lib.changed = stamp
        for var in self._all_variables():
            if var.type is old:
                var.type = new
                var.changed = stamp
        for lb in self.libraries:
            for t in lb.types:
                if t.visual_type is old:
                    t.visual_type = new
                if isinstance(t, ArrayType) and t.array_type is old:
                    t.array_type = new
        return new

    def set_initial_value(self, var_path: str, value: Value) -> Variable:
        """Set a variable's value (resolve_import_value) and mark it and its containers."""
        ptr = paths.pointer(self, var_path)
        var = ptr.variable
        stamp = tick()
        var.initial_value = value
        var.changed = stamp
        if len(ptr.elements) > 1:
            holder = ptr.elements[-2].type
            if isinstance(holder, ArrayType):
                holder = holder.array_type
            _, lib, _ = paths.library_of(self, holder)
            holder.changed = stamp
            lib.changed = stamp
        return var

    def _all_variables(self) -> list[Variable]:
        out = list(self.variables)
        for lib in self.libraries:
            for t in lib.types:
                if isinstance(t, CompositeType):
                    out.extend(t.variables)
        return out

    # -- paths ---------------------------------------------------------------------------------

    def ref(self, obj: Type | Variable | GeppettoLibrary) -> str:
        return paths.ref(self, obj)

    def find_type(self, path: str) -> Type:
        return paths.find_type(self, path)

    def pointer(self, path: str) -> paths.Pointer:
        return paths.pointer(self, path)

    def library(self, id: str) -> GeppettoLibrary:
        for lib in self.libraries:
            if lib.id == id:
                return lib
        raise KeyError(f"model {self.id!r} has no library {id!r}")

    def variable(self, id: str) -> Variable:
        for v in self.variables:
            if v.id == id:
                return v
        raise KeyError(f"model {self.id!r} has no top-level variable {id!r}")
