"""Running the queries the client asks for (`run_query`, `run_query_count`), as Java did.

The client sends runnable queries: a target variable path, a query path (`query` for a
top-level query, `source.query` for one of a data source) and a boolean operator. Each query
runs on its target: a process query through the processor registered under its
`queryProcessorId`, a simple query through the processor registered under its data source's
`dataSourceService`, a compound query as its chain, each step given the results of the one
before. Several runnable queries are combined by their `ID` column (AND, OR, NAND), and the
count is the number of combined results: as in Java 0.3.8, counting runs the queries
(`runForCount` is kept in the model, not acted on), except that a query of one processing step
may count for itself (a Python data source's query declared with `count=`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geppetto_dev import model as gm
from geppetto_dev.projects.data_sources import QueryContext, QueryProcessors

__all__ = ["QueryError", "RunnableQuery", "count_queries", "parse_runnable", "run_queries"]

OPERATORS = ("AND", "OR", "NAND")


class QueryError(Exception):
    """A query that cannot run here; the message says what to declare or register."""


@dataclass(frozen=True)
class RunnableQuery:
    target: str
    query: str
    operator: str = "AND"


def parse_runnable(data: Any) -> list[RunnableQuery]:
    """`runnableQueries` of a run_query request; ValueError for a malformed one."""
    items = data.get("runnableQueries") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ValueError("runnableQueries must be a non-empty list")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("each runnable query is an object")
        target, query = item.get("targetVariablePath"), item.get("queryPath")
        if not isinstance(target, str) or not isinstance(query, str):
            raise ValueError("a runnable query has a targetVariablePath and a queryPath")
        operator = str(item.get("booleanOperator") or "AND").upper()
        if operator not in OPERATORS:
            raise ValueError(f"booleanOperator must be one of {', '.join(OPERATORS)}")
        out.append(RunnableQuery(target.removeprefix("Model."), query, operator))
    return out


def _target_types(model: gm.GeppettoModel, path: str) -> list[gm.Type]:
    try:
        pointer = model.pointer(path)
    except (KeyError, ValueError) as exc:
        raise QueryError(f"no variable {path!r} in the model: {exc.args[0]}") from None
    t = pointer.type
    out = [t]
    if isinstance(t, gm.ArrayType):
        out.append(t.array_type)
    return out


def _results(value: Any, query: gm.Query) -> gm.QueryResults:
    if isinstance(value, gm.QueryResults):
        return value
    rows = list(value or [])
    if rows and all(isinstance(r, Mapping) for r in rows):
        return gm.QueryResults.of(list(rows[0]), rows, id=query.id)
    if not rows:
        return gm.QueryResults(query.id)
    raise QueryError(
        f"the processor of query {query.id!r} returned rows without column names: return "
        "QueryResults (geppetto_dev.model.QueryResults.of(header, rows)) or mappings"
    )


class _Run:
    def __init__(self, model: gm.GeppettoModel, processors: QueryProcessors, count: bool) -> None:
        self.model = model
        self.processors = processors
        self.count = count

    def query(
        self,
        query: gm.Query,
        source: gm.DataSource | None,
        target: str,
        results: gm.QueryResults | None,
    ) -> gm.QueryResults | int | None:
        if isinstance(query, gm.CompoundQuery | gm.CompoundRefQuery):
            current: gm.QueryResults | int | None = results
            for step in query.query_chain:
                if isinstance(current, int):
                    raise QueryError(f"a count cannot feed query {step.id!r} of {query.id!r}")
                step_source = gm.source_of(self.model, step) or source
                current = self.query(step, step_source, target, current)
            return current
        if isinstance(query, gm.ProcessQuery):
            processor = self.processors.get(query.query_processor_id)
            if processor is None:
                raise QueryError(
                    f"no query processor {query.query_processor_id!r} for query {query.id!r}: "
                    "register one with @<project>.query_processor("
                    f"{query.query_processor_id!r})"
                )
        elif isinstance(query, gm.SimpleQuery):
            service = source.data_source_service if source is not None else ""
            processor = self.processors.get(service) if service else None
            if processor is None:
                where = f" of data source {source.id!r}" if source is not None else ""
                raise QueryError(
                    f"the data source service {service!r}{where} is not available here: "
                    f"register a query processor under {service!r} to run query {query.id!r}"
                )
        else:
            raise QueryError(f"query {query.id!r} is a {query.eclass}, which cannot run")
        context = QueryContext(self.model, target, query, source, results, self.count)
        value = processor(context)
        if isinstance(value, int) and not isinstance(value, bool):
            if not self.count:
                raise QueryError(f"the processor of query {query.id!r} returned a number")
            return value
        return _results(value, query)

    def runnable(self, item: RunnableQuery) -> gm.QueryResults | int:
        try:
            query, source = gm.find_query(self.model, item.query)
        except KeyError as exc:
            raise QueryError(str(exc.args[0])) from None
        if not query.matches(_target_types(self.model, item.target)):
            raise QueryError(f"query {query.id!r} does not apply to {item.target!r}")
        out = self.query(query, source, item.target, None)
        return out if out is not None else gm.QueryResults(query.id)


def _combine(parts: Sequence[tuple[gm.QueryResults, str]]) -> gm.QueryResults:
    """Java's ExecuteMultipleQueriesVisitor: rows matched by their ID column."""
    if len(parts) == 1:
        return parts[0][0]
    first = parts[0][0]
    header = first.header
    rows: dict[str, gm.QueryResult] = {}
    for index, (results, operator) in enumerate(parts):
        if results.header != header:
            raise QueryError("the queries return different columns: they cannot be combined")
        try:
            ids = results.ids()
        except KeyError as exc:
            raise QueryError(f"to combine queries, {exc.args[0]}") from None
        found = dict(zip(ids, results.results, strict=True))
        if operator == "AND":
            rows = dict(found) if index == 0 else {k: v for k, v in rows.items() if k in found}
        elif operator == "OR":
            rows.update({k: v for k, v in found.items() if k not in rows})
        else:  # NAND
            rows = {k: v for k, v in rows.items() if k not in found}
    return gm.QueryResults(first.id, list(header), list(rows.values()))


def run_queries(
    model: Any, runnable: Iterable[RunnableQuery], processors: QueryProcessors
) -> gm.QueryResults:
    """The combined results of the runnable queries (QueryError when one cannot run)."""
    run = _Run(_geppetto_model(model), processors, count=False)
    parts = []
    for item in runnable:
        results = run.runnable(item)
        assert isinstance(results, gm.QueryResults)
        parts.append((results, item.operator))
    return _combine(parts)


def count_queries(
    model: Any, runnable: Sequence[RunnableQuery], processors: QueryProcessors
) -> int:
    """How many results `run_queries` would give; a query of one processing step is asked
    for the count only (`QueryContext.count`), and may answer with the number."""
    m = _geppetto_model(model)
    if len(runnable) == 1:
        try:
            query, _ = gm.find_query(m, runnable[0].query)
        except KeyError as exc:
            raise QueryError(str(exc.args[0])) from None
        steps = query.chain()
        if len(steps) == 1 and isinstance(steps[0], gm.ProcessQuery):
            value = _Run(m, processors, count=True).runnable(runnable[0])
            return value if isinstance(value, int) else len(value.results)
    return len(run_queries(m, runnable, processors).results)


def _geppetto_model(model: Any) -> gm.GeppettoModel:
    if not isinstance(model, gm.GeppettoModel):
        raise QueryError(
            "queries run on geppetto_dev.model models; this project's model has no data sources"
        )
    return model
