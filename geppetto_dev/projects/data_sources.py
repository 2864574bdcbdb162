"""Data sources a project declares in Python, and query processors by `queryProcessorId`.

    cells = DataSource("cells", name="Demo cells")

    @cells.search                                   # Spotlight: rows for a search term
    def search(term: str) -> list[dict[str, str]]: ...

    @cells.fetch                                    # fetch_variable: add a variable by id
    def fetch(model: gm.GeppettoModel, variable_id: str) -> gm.Variable | None: ...

    @cells.query("firing", description="Cells of $NAME that fire",
                 columns=("ID", "Name", "Spikes"), matches=("demo.network",))
    def firing(model: gm.GeppettoModel, path: str) -> list[tuple[str, str, int]]: ...

    @project(id=1, name="demo", data_sources=[cells])

The server adds the declared data source to the model the client gets (a `DataSource` with a
`ProcessQuery` per query, and a top-level query referring to each, which the 0.3.8 query
builder offers for a variable of a matching type), answers `run_query` / `run_query_count` by
calling the query, `get_data_source_results` by calling `search`, `fetch_variable` by calling
`fetch`. A Java project's XMI data sources name processors by `queryProcessorId`: register
Python functions under those ids (`QueryProcessors`) and the same handlers run them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from geppetto_dev import model as gm
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.projects.client_config import DEFAULT_TYPE, client_script, result_types

__all__ = [
    "DataSource",
    "DeclaredQuery",
    "QueryContext",
    "QueryProcessor",
    "QueryProcessors",
    "attach_data_sources",
]

F = TypeVar("F", bound=Callable[..., Any])

# What a data source's callables get and return.
Search = Callable[[str], Iterable[Mapping[str, Any]]]  # term -> result rows (id, label, type)
Fetch = Callable[[Any, str], Any]  # (model, variable id) -> a Variable to add, or None
Rows = Iterable[Sequence[Any] | Mapping[str, Any]]
QueryFunction = Callable[[Any, str], Rows]  # (model, target variable path) -> rows

# The service name a Python data source declares in the model (the client shows it only).
PYTHON_SERVICE = "pythonDataSource"


@dataclass(frozen=True)
class QueryContext:
    """What a query processor gets: the model, the variable the query runs on, the query (a
    ProcessQuery's `parameters`, a SimpleQuery's text), its data source, the results of the
    queries before it in the chain, and whether only their number is wanted."""

    model: Any
    target: str
    query: gm.Query
    data_source: gm.DataSource | None
    results: gm.QueryResults | None = None
    count: bool = False


# Returns the results (QueryResults, or rows of the query's columns); asked only for a count
# (`context.count`), it may return the number instead.
QueryProcessor = Callable[[QueryContext], "gm.QueryResults | Rows | int"]


class QueryProcessors:
    """Query processors by `queryProcessorId` (a SimpleQuery runs through the processor named
    by its data source's `dataSourceService`). A plain value: a project holds one, several
    projects may share one."""

    def __init__(self, processors: Mapping[str, QueryProcessor] | None = None) -> None:
        self._by_id: dict[str, QueryProcessor] = dict(processors or {})

    def processor(self, processor_id: str) -> Callable[[F], F]:
        """Decorator: `@processors.processor("vfbImagesQueryProcessor")`."""

        def register(func: F) -> F:
            self.add(processor_id, func)
            return func

        return register

    def add(self, processor_id: str, func: QueryProcessor) -> None:
        if not processor_id:
            raise GeppettoDevError("a query processor needs an id", "the queryProcessorId")
        self._by_id[processor_id] = func

    def get(self, processor_id: str) -> QueryProcessor | None:
        # Java bean names sometimes carry "Service", and XMI files name them either way.
        bare = processor_id.removesuffix("Service")
        for candidate in (processor_id, bare, f"{bare}Service"):
            found = self._by_id.get(candidate)
            if found is not None:
                return found
        return None

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def __contains__(self, processor_id: object) -> bool:
        return isinstance(processor_id, str) and self.get(processor_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())


@dataclass(frozen=True)
class DeclaredQuery:
    """A query of a Python data source: `run(model, path)` returns rows of `columns`."""

    id: str
    description: str
    columns: tuple[str, ...]
    run: QueryFunction
    matches: tuple[str, ...] = ()  # type paths ("library.type") of the variables it runs on
    name: str | None = None
    count: Callable[[Any, str], int] | None = None  # a cheaper count than len(run(...))

    def processor(self) -> QueryProcessor:
        def process(context: QueryContext) -> gm.QueryResults | int:
            if context.count and self.count is not None:
                return int(self.count(context.model, context.target))
            rows = self.run(context.model, context.target)
            return gm.QueryResults.of(self.columns, rows, id=self.id)

        process.__qualname__ = f"query {self.id!r}"
        return process


@dataclass(eq=False)
class DataSource:
    """A data source declared in Python; see the module's docstring."""

    id: str
    name: str | None = None
    # The client's Spotlight configuration of each result `type` (icon, actions with $ID$ and
    # $LABEL$); a row without a type, or of a type not listed, gets the "default" entry.
    result_types: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    search_hook: Search | None = None
    fetch_hook: Fetch | None = None
    queries: list[DeclaredQuery] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.id or "." in self.id or "/" in self.id:
            raise GeppettoDevError(
                f"data source id {self.id!r} must be non-empty, without '.' or '/'",
                "the client names a data source query '<data source id>.<query id>'",
            )

    def search(self, func: F) -> F:
        """`(term) -> rows`: what Spotlight lists for a search term; each row a mapping with an
        `id`, a `label` and a `type` (and any field the client configuration formats)."""
        self.search_hook = func
        return func

    def fetch(self, func: F) -> F:
        """`(model, variable_id) -> Variable | None`: add the variable (return it, or add it
        yourself); the client gets what changed as a delta."""
        self.fetch_hook = func
        return func

    def query(
        self,
        id: str,
        *,
        description: str,
        columns: Sequence[str],
        matches: Sequence[str] = (),
        name: str | None = None,
        count: Callable[[Any, str], int] | None = None,
    ) -> Callable[[F], F]:
        """`(model, path) -> rows`, run on the variable at `path`; rows are sequences in
        `columns` order or mappings by column name. `matches`: the type paths of variables
        it applies to (none: all). In `description`, `$NAME` is the variable's name in the
        0.3.8 query builder. Give an `ID` column to combine results of several queries."""
        if not columns:
            raise GeppettoDevError(f"query {id!r} needs its columns", 'e.g. columns=("ID", "Name")')
        if any(q.id == id for q in self.queries):
            raise GeppettoDevError(f"data source {self.id!r} has two queries {id!r}", "rename one")

        def register(func: F) -> F:
            self.queries.append(
                DeclaredQuery(id, description, tuple(columns), func, tuple(matches), name, count)
            )
            return func

        return register

    def client_types(self) -> dict[str, dict[str, Any]]:
        """Spotlight's configuration of each result type (a `default` one included)."""
        return result_types(self.id, self.result_types, fetch=self.fetch_hook is not None)

    def result_row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A search row as Spotlight reads it: an `id`, a `label`, a `type` it knows."""
        out = dict(row)
        if "id" not in out:
            raise GeppettoDevError(
                f"data source {self.id!r}: a search row without an id: {out!r}",
                'return rows like {"id": ..., "label": ..., "type": ...}',
            )
        out["id"] = str(out["id"])
        out.setdefault("label", out.get("name", out["id"]))
        if out.get("type") not in self.client_types():
            out["type"] = DEFAULT_TYPE
        return out

    def client_script(self) -> str:
        """The experiment script that adds this data source to the 0.3.8 client's Spotlight
        and (if it has queries) query builder; serve it with `@project.script`."""
        return client_script(self.id, self.client_types(), with_queries=bool(self.queries))

    def processor_id(self, query: DeclaredQuery) -> str:
        return f"{self.id}.{query.id}"

    def processors(self) -> dict[str, QueryProcessor]:
        return {self.processor_id(q): q.processor() for q in self.queries}

    def to_model(self, model: gm.GeppettoModel) -> tuple[gm.DataSource, list[gm.Query]]:
        """The model's DataSource and the top-level queries referring to its queries."""
        queries: list[gm.Query] = []
        top: list[gm.Query] = []
        for q in self.queries:
            criteria = [[_type(model, path, q)] for path in q.matches]
            inner = gm.ProcessQuery(
                q.id,
                q.name,
                q.description,
                matching_criteria=criteria,
                query_processor_id=self.processor_id(q),
            )
            queries.append(inner)
            top.append(
                gm.CompoundRefQuery(
                    q.id, q.name, q.description, matching_criteria=criteria, query_chain=[inner]
                )
            )
        source = gm.DataSource(self.id, self.name, PYTHON_SERVICE, queries=queries)
        return source, top


def _type(model: gm.GeppettoModel, path: str, query: DeclaredQuery) -> gm.Type:
    try:
        return model.find_type(path)
    except KeyError as exc:
        raise GeppettoDevError(
            f"query {query.id!r} matches {path!r}: {exc.args[0]}",
            "name a type of the model as 'library id.type id'",
        ) from None


def attach_data_sources(model: Any, sources: Sequence[DataSource]) -> Any:
    """Add declared data sources (and their top-level queries) to a freshly built model.

    Only `geppetto_dev.model` models carry them: a pygeppetto model is left as it is."""
    if not sources or not isinstance(model, gm.GeppettoModel):
        return model
    for source in sources:
        if any(d.id == source.id for d in model.data_sources):
            continue  # the build function declared it itself
        data_source, queries = source.to_model(model)
        model.add_data_source(data_source)
        for query in queries:
            if all(q.id != query.id for q in model.queries):
                model.add_query(query)
    return model
