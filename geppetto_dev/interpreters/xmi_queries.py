"""An XMI model's data sources and queries, as `geppetto_dev.model` objects.

VFB's ``vfb.xmi`` is the reference: data sources (a service name, a URL, library
configurations, the libraries fetched types go to) holding compound queries whose chains mix
simple queries (Cypher text for the service) and process queries (a ``queryProcessorId``);
top-level ``CompoundRefQuery``s refer to them (``queryChain="//@dataSources.4/@queries.5"``)
and say, by ``matchingCriteria``, which types of variables they apply to. The queries run on
the server through processors registered under those ids (``QueryProcessors``). References
the file cannot resolve are left out with a note, as other parts the model has no place for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from geppetto_dev.interpreters.naming import safe_id
from geppetto_dev.model import (
    CompoundQuery,
    CompoundRefQuery,
    DataSource,
    DataSourceLibraryConfiguration,
    GeppettoLibrary,
    ProcessQuery,
    Query,
    SimpleQuery,
    Type,
)

__all__ = ["Record", "XmiQueries", "read_queries"]


class Record(Protocol):
    """What this module reads of an XMI element (XmiRecord has it)."""

    @property
    def kind(self) -> str | None: ...

    @property
    def line(self) -> int: ...

    def get(self, name: str) -> str | None: ...

    def all(self, feature: str) -> Sequence[Record]: ...


@dataclass
class XmiQueries:
    data_sources: list[DataSource] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)


_KINDS: dict[str, type[Query]] = {
    "SimpleQuery": SimpleQuery,
    "ProcessQuery": ProcessQuery,
    "CompoundQuery": CompoundQuery,
    "CompoundRefQuery": CompoundRefQuery,
}


class _Reader:
    def __init__(
        self,
        find_type: Callable[[str], Type | None],
        find_library: Callable[[str], GeppettoLibrary | None],
        skipped: list[str],
    ) -> None:
        self.find_type = find_type
        self.find_library = find_library
        self.skipped = skipped
        self.by_ref: dict[str, Query] = {}
        # (query, its queryChain refs, line): resolved once every query exists.
        self.pending: list[tuple[CompoundRefQuery, str, int]] = []

    def types(self, text: str | None, line: int, what: str) -> list[Type]:
        out = []
        for ref in (text or "").split():
            found = self.find_type(ref)
            if found is None:
                self.skipped.append(f"line {line}: {what} names {ref!r}, not in the file")
            else:
                out.append(found)
        return out

    def library(self, text: str | None, line: int, what: str) -> GeppettoLibrary | None:
        if not text:
            return None
        found = self.find_library(text.split()[0])
        if found is None:
            self.skipped.append(f"line {line}: {what} names {text!r}, not in the file")
        return found

    def query(self, rec: Record, ref: str, index: int) -> Query | None:
        kind = _KINDS.get(rec.kind or "")
        if kind is None:
            self.skipped.append(f"line {rec.line}: a query of kind {rec.kind!r}")
            return None
        name = rec.get("name")
        query_id = rec.get("id") or safe_id(name or "") or f"query{index}"
        criteria = [
            found
            for c in rec.all("matchingCriteria")
            if (found := self.types(c.get("type"), c.line, f"query {query_id!r}"))
        ]
        returns = self.types(rec.get("returnType"), rec.line, f"query {query_id!r}")
        description = rec.get("description") or ""
        query: Query
        if kind is SimpleQuery:
            query = SimpleQuery(
                query_id,
                name,
                description,
                query=rec.get("query") or "",
                count_query=rec.get("countQuery") or "",
            )
        elif kind is ProcessQuery:
            parameters = {p.get("key") or "": p.get("value") or "" for p in rec.all("parameters")}
            query = ProcessQuery(
                query_id,
                name,
                description,
                query_processor_id=rec.get("queryProcessorId") or "",
                parameters=parameters,
            )
        elif kind is CompoundQuery:
            chain = []
            for j, step in enumerate(rec.all("queryChain")):
                inner = self.query(step, f"{ref}/@queryChain.{j}", j)
                if inner is not None:
                    chain.append(inner)
            query = CompoundQuery(query_id, name, description, query_chain=chain)
        else:
            query = CompoundRefQuery(query_id, name, description)
            self.pending.append((query, rec.get("queryChain") or "", rec.line))
        query.matching_criteria = criteria
        query.run_for_count = (rec.get("runForCount") or "true").lower() != "false"
        query.return_type = returns[0] if returns else None
        self.by_ref[ref] = query
        return query

    def source(self, rec: Record, index: int) -> DataSource:
        source_id = rec.get("id") or safe_id(rec.get("name") or "") or f"dataSource{index}"
        what = f"data source {source_id!r}"
        configurations = [
            DataSourceLibraryConfiguration(
                self.library(c.get("library"), c.line, what),
                c.get("modelInterpreterId") or "",
                c.get("format") or "",
            )
            for c in rec.all("libraryConfigurations")
        ]
        ref = f"//@dataSources.{index}"
        queries = []
        for j, q in enumerate(rec.all("queries")):
            query = self.query(q, f"{ref}/@queries.{j}", j)
            if query is not None:
                queries.append(query)
        fetch = rec.all("fetchVariableQuery")
        dependencies = [
            lib
            for text in (rec.get("dependenciesLibrary") or "").split()
            if (lib := self.library(text, rec.line, what)) is not None
        ]
        return DataSource(
            source_id,
            rec.get("name"),
            rec.get("dataSourceService") or "",
            rec.get("url") or "",
            queries=queries,
            library_configurations=configurations,
            dependencies_library=dependencies,
            target_library=self.library(rec.get("targetLibrary"), rec.line, what),
            fetch_variable_query=(
                self.query(fetch[0], f"{ref}/@fetchVariableQuery", 0) if fetch else None
            ),
        )

    def link(self) -> None:
        for query, text, line in self.pending:
            for ref in text.split():
                found = self.by_ref.get(ref.rpartition("#")[2])
                if found is None:
                    self.skipped.append(f"line {line}: query {query.id!r} names {ref!r}")
                else:
                    query.query_chain.append(found)


def read_queries(
    sources: Sequence[Record],
    queries: Sequence[Record],
    *,
    find_type: Callable[[str], Type | None],
    find_library: Callable[[str], GeppettoLibrary | None],
    skipped: list[str],
) -> XmiQueries:
    """The data sources and top-level queries of an XMI model's records."""
    reader = _Reader(find_type, find_library, skipped)
    out = XmiQueries()
    out.data_sources = [reader.source(rec, i) for i, rec in enumerate(sources)]
    for i, rec in enumerate(queries):
        query = reader.query(rec, f"//@queries.{i}", i)
        if query is not None:
            out.queries.append(query)
    reader.link()
    return out
