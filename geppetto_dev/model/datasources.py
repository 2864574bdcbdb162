"""Data sources and queries, as Geppetto's model holds them, and the results a query returns.

A model lists its data sources (``dataSources``: where variables are fetched from, with the
queries each offers) and top-level queries (``queries``: what the 0.3.8 query builder offers
for a variable, by the variable's type). Queries come in four kinds, as in Java's
``datasources`` package: a ``SimpleQuery`` (query text for the data source's service), a
``ProcessQuery`` (a processor named by ``queryProcessorId`` turns results into results), a
``CompoundQuery`` (a chain it contains) and a ``CompoundRefQuery`` (a chain of queries held
elsewhere). A query answers with ``QueryResults``: a header and rows of values.

Clients read them once, from the whole model (``geppetto_model_loaded``); deltas leave them
out, since the clients' merge ignores them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from geppetto_dev.model.nodes import GeppettoLibrary, Type

if TYPE_CHECKING:
    from geppetto_dev.model.geppetto_model import GeppettoModel

__all__ = [
    "CompoundQuery",
    "CompoundRefQuery",
    "DataSource",
    "DataSourceLibraryConfiguration",
    "ProcessQuery",
    "Query",
    "QueryResult",
    "QueryResults",
    "SimpleQuery",
    "data_sources_dicts",
    "find_query",
    "query_path",
    "query_results_json",
    "source_of",
]

JSONDict = dict[str, Any]
ID_COLUMN = "ID"  # the column Java combines several queries' results by


@dataclass(slots=True, eq=False)
class Query:
    """Base of the four kinds. ``matching_criteria``: lists of types, any list of which the
    target variable's type must all match for the query to apply (none: it applies to all)."""

    ECLASS: ClassVar[str] = "Query"

    id: str
    name: str | None = None
    description: str = ""
    matching_criteria: list[list[Type]] = field(default_factory=list, kw_only=True)
    run_for_count: bool = field(default=True, kw_only=True)
    return_type: Type | None = field(default=None, kw_only=True)

    @property
    def eclass(self) -> str:
        return self.ECLASS

    def chain(self) -> list[Query]:
        """The queries this one runs, in order (itself for a simple or process query)."""
        return [self]

    def matches(self, types: Iterable[Type]) -> bool:
        """Whether a variable of these types (its type and supertypes) is a target."""
        if not self.matching_criteria:
            return True
        have = {id(t) for t in types}
        return any(all(id(t) in have for t in criteria) for criteria in self.matching_criteria)


@dataclass(slots=True, eq=False)
class SimpleQuery(Query):
    """Query text run by the data source's service (a Cypher query for Neo4j, say)."""

    ECLASS: ClassVar[str] = "SimpleQuery"

    query: str = field(default="", kw_only=True)
    count_query: str = field(default="", kw_only=True)


@dataclass(slots=True, eq=False)
class ProcessQuery(Query):
    """Runs the processor registered under ``query_processor_id`` on the results so far."""

    ECLASS: ClassVar[str] = "ProcessQuery"

    query_processor_id: str = field(default="", kw_only=True)
    parameters: dict[str, str] = field(default_factory=dict, kw_only=True)


@dataclass(slots=True, eq=False)
class CompoundQuery(Query):
    """A chain of queries it contains, each one given the results of the one before."""

    ECLASS: ClassVar[str] = "CompoundQuery"

    query_chain: list[Query] = field(default_factory=list, kw_only=True)

    def chain(self) -> list[Query]:
        return list(self.query_chain)


@dataclass(slots=True, eq=False)
class CompoundRefQuery(Query):
    """A chain of queries held elsewhere (a data source's): top-level queries are these."""

    ECLASS: ClassVar[str] = "CompoundRefQuery"

    query_chain: list[Query] = field(default_factory=list, kw_only=True)

    def chain(self) -> list[Query]:
        return list(self.query_chain)


@dataclass(slots=True, eq=False)
class DataSourceLibraryConfiguration:
    """Which interpreter reads the files of a library fetched from the data source."""

    library: GeppettoLibrary | None
    model_interpreter_id: str
    format: str = ""


@dataclass(slots=True, eq=False)
class DataSource:
    """Where variables come from: ``data_source_service`` names the service that runs its
    simple queries and fetches variables; ``target_library`` receives fetched types."""

    id: str
    name: str | None = None
    data_source_service: str = ""
    url: str = ""
    queries: list[Query] = field(default_factory=list)
    library_configurations: list[DataSourceLibraryConfiguration] = field(default_factory=list)
    dependencies_library: list[GeppettoLibrary] = field(default_factory=list)
    target_library: GeppettoLibrary | None = None
    fetch_variable_query: Query | None = None

    def query(self, query_id: str) -> Query:
        for q in self.queries:
            if q.id == query_id:
                return q
        raise KeyError(f"data source {self.id!r} has no query {query_id!r}")


@dataclass(slots=True, eq=False)
class QueryResult:
    """One row."""

    values: list[Any]


@dataclass(slots=True, eq=False)
class QueryResults:
    """What a query returns: column names and rows (Java's SerializableQueryResults)."""

    id: str = ""
    header: list[str] = field(default_factory=list)
    results: list[QueryResult] = field(default_factory=list)

    @classmethod
    def of(
        cls, header: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]], id: str = ""
    ) -> QueryResults:
        """Rows as sequences (in header order) or mappings (by column name)."""
        columns = list(header)
        out = []
        for row in rows:
            if isinstance(row, Mapping):
                out.append(QueryResult([row.get(c) for c in columns]))
            else:
                values = list(row)
                if len(values) != len(columns):
                    raise ValueError(
                        f"a row of {len(values)} values for {len(columns)} columns "
                        f"({', '.join(columns)}): {values!r}"
                    )
                out.append(QueryResult(values))
        return cls(id, columns, out)

    def column(self, name: str) -> list[Any]:
        index = self.header.index(name)
        return [r.values[index] for r in self.results]

    def ids(self) -> list[str]:
        """The ID column as text (Java requires one to combine several queries' results)."""
        if ID_COLUMN not in self.header:
            raise KeyError(f"the results have no {ID_COLUMN} column ({', '.join(self.header)})")
        return [_text(v) for v in self.column(ID_COLUMN)]


def _text(value: Any) -> str:
    """A value as Java's SerializableQueryResult holds it: text (None as empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value)


def query_results_json(results: QueryResults) -> str:
    """The EMF-JSON the clients parse (every value as text, as Java sends it)."""
    rows = [
        {"eClass": "SerializableQueryResult", "values": [_text(v) for v in r.values]}
        for r in results.results
    ]
    body = {"eClass": "QueryResults", "id": results.id, "header": results.header, "results": rows}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


# -- paths and references -----------------------------------------------------------------------


def _walk(queries: Sequence[Query], prefix: str) -> Iterator[tuple[Query, str]]:
    """(query, its $ref) for queries and the chains they contain."""
    for i, q in enumerate(queries):
        here = f"{prefix}/@queries.{i}" if prefix != "" else f"//@queries.{i}"
        yield q, here
        if isinstance(q, CompoundQuery):
            for j, inner in enumerate(q.query_chain):
                yield inner, f"{here}/@queryChain.{j}"


def _query_refs(model: GeppettoModel) -> dict[int, str]:
    refs: dict[int, str] = {}
    for di, ds in enumerate(model.data_sources):
        for q, ref in _walk(ds.queries, f"//@dataSources.{di}"):
            refs.setdefault(id(q), ref)
        if ds.fetch_variable_query is not None:
            refs.setdefault(id(ds.fetch_variable_query), f"//@dataSources.{di}/@fetchVariableQuery")
    for q, ref in _walk(model.queries, ""):
        refs.setdefault(id(q), ref)
    return refs


def query_path(model: GeppettoModel, query: Query) -> str:
    """The path the client sends for a query: ``query`` (top level) or ``source.query``."""
    for q in model.queries:
        if q is query:
            return q.id
    for ds in model.data_sources:
        if any(q is query for q in ds.queries):
            return f"{ds.id}.{query.id}"
    raise KeyError(f"query {query.id!r} is not in model {model.id!r}")


def find_query(model: GeppettoModel, path: str) -> tuple[Query, DataSource | None]:
    """The query at a client path (``Model.`` prefix allowed) and the data source holding it
    (for a top-level query: the data source of the first query of its chain, if any)."""
    path = path.strip().removeprefix("Model.")
    head, sep, rest = path.partition(".")
    if sep:
        for ds in model.data_sources:
            if ds.id == head:
                return ds.query(rest), ds
        raise KeyError(f"model {model.id!r} has no data source {head!r}")
    for q in model.queries:
        if q.id == path:
            return q, source_of(model, q)
    raise KeyError(f"model {model.id!r} has no top-level query {path!r}")


def source_of(model: GeppettoModel, query: Query) -> DataSource | None:
    """The data source that holds `query`, or holds the first query of its chain."""
    for candidate in [query, *query.chain()]:
        for ds in model.data_sources:
            held = [q for top in ds.queries for q in (top, *top.chain())]
            if any(q is candidate for q in held):
                return ds
    return None


# -- EMF-JSON ----------------------------------------------------------------------------------


def data_sources_dicts(model: GeppettoModel) -> tuple[list[JSONDict], list[JSONDict]]:
    """``dataSources`` and ``queries`` as the model's EMF-JSON holds them."""
    types = _type_refs(model)
    queries = _query_refs(model)
    libraries = {id(lib): f"//@libraries.{li}" for li, lib in enumerate(model.libraries)}

    def type_ref(t: Type, user: str) -> JSONDict:
        ref = types.get(id(t))
        if ref is None:
            raise ValueError(f"{user} names type {t.id!r}, which is in no library of the model")
        return {"eClass": t.eclass, "$ref": ref}

    def library_ref(lib: GeppettoLibrary, user: str) -> JSONDict:
        ref = libraries.get(id(lib))
        if ref is None:
            raise ValueError(f"{user} names library {lib.id!r}, which is not in the model")
        return {"eClass": "GeppettoLibrary", "$ref": ref}

    def query_dict(q: Query, *, contained: bool = True) -> JSONDict:
        if not contained:
            ref = queries.get(id(q))
            if ref is None:
                raise ValueError(f"a query chain names query {q.id!r}, which the model lacks")
            return {"eClass": q.eclass, "$ref": ref}
        d: JSONDict = {"eClass": q.eclass, "id": q.id, "name": q.name or q.id}
        d["description"] = q.description
        if q.matching_criteria:
            user = f"query {q.id!r}"
            d["matchingCriteria"] = [
                {"eClass": "QueryMatchingCriteria", "type": [type_ref(t, user) for t in c]}
                for c in q.matching_criteria
            ]
        if not q.run_for_count:
            d["runForCount"] = False
        if q.return_type is not None:
            d["returnType"] = type_ref(q.return_type, f"query {q.id!r}")
        if isinstance(q, SimpleQuery):
            d["query"] = q.query
            d["countQuery"] = q.count_query
        elif isinstance(q, ProcessQuery):
            d["queryProcessorId"] = q.query_processor_id
            if q.parameters:
                d["parameters"] = [
                    {"eClass": "StringToStringMap", "key": k, "value": v}
                    for k, v in q.parameters.items()
                ]
        elif isinstance(q, CompoundQuery):
            d["queryChain"] = [query_dict(c) for c in q.query_chain]
        elif isinstance(q, CompoundRefQuery):
            d["queryChain"] = [query_dict(c, contained=False) for c in q.query_chain]
        return d

    def source_dict(ds: DataSource) -> JSONDict:
        user = f"data source {ds.id!r}"
        d: JSONDict = {
            "eClass": "DataSource",
            "id": ds.id,
            "name": ds.name or ds.id,
            "dataSourceService": ds.data_source_service,
            "url": ds.url,
        }
        if ds.library_configurations:
            configs = []
            for c in ds.library_configurations:
                config: JSONDict = {
                    "eClass": "DataSourceLibraryConfiguration",
                    "modelInterpreterId": c.model_interpreter_id,
                    "format": c.format,
                }
                if c.library is not None:
                    config["library"] = library_ref(c.library, user)
                configs.append(config)
            d["libraryConfigurations"] = configs
        if ds.queries:
            d["queries"] = [query_dict(q) for q in ds.queries]
        if ds.dependencies_library:
            d["dependenciesLibrary"] = [library_ref(lib, user) for lib in ds.dependencies_library]
        if ds.target_library is not None:
            d["targetLibrary"] = library_ref(ds.target_library, user)
        if ds.fetch_variable_query is not None:
            d["fetchVariableQuery"] = query_dict(ds.fetch_variable_query)
        return d

    return [source_dict(ds) for ds in model.data_sources], [query_dict(q) for q in model.queries]


def _type_refs(model: GeppettoModel) -> dict[int, str]:
    out: dict[int, str] = {}
    for li, lib in enumerate(model.libraries):
        for ti, t in enumerate(lib.types):
            out.setdefault(id(t), f"//@libraries.{li}/@types.{ti}")
    return out
