"""The data source requests: Spotlight's search (`get_data_source_results`), the query
builder's `run_query` and `run_query_count`, and geppetto-meta's `fetch`.

The replies have Java's shapes: `data_source_results_fetched` carries the results as text in
the shape of a SOLR response (`{"response": {"docs": [...]}}`, what Spotlight formats),
`return_query_results` the EMF-JSON of the QueryResults, `return_query_count` the number as
text. Nothing is fetched from the URL Spotlight sends: it only carries the search term.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from geppetto_dev import model as gm
from geppetto_dev.projects.connection import LoadedProject, state_of
from geppetto_dev.projects.conversation import info, loaded_project, obj
from geppetto_dev.projects.data_sources import DataSource
from geppetto_dev.projects.queries import QueryError, count_queries, parse_runnable, run_queries
from geppetto_dev.protocol.registry import Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = ["fetch", "get_data_source_results", "run_query", "run_query_count", "search_term"]

# Spotlight's URL template: VFB's SOLR URL carries the term in `q`; a Python data source's
# configuration may be the bare term ("$SEARCH_TERM$").
MAX_RESULTS = 1000


def search_term(url: str) -> str:
    """The term of a Spotlight URL: its `q` parameter if it has one, else the text itself."""
    parts = urlsplit(url)
    if parts.query:
        found = parse_qs(parts.query).get("q")
        if found:
            return found[0]
    return unquote(url)


def _source(conn: Session, name: str) -> tuple[LoadedProject, DataSource] | None:
    state = state_of(conn)
    with state.lock:
        loaded = list(state.projects.values())
    for each in loaded:
        for source in each.runtime.project.data_sources:
            if name in (source.id, source.name):
                return each, source
    return None


@handler("get_data_source_results")
def get_data_source_results(conn: Session, data: Any) -> Reply:
    """Spotlight's search: the data source named `data_source_name` of a loaded project."""
    request = obj(data)
    name = str(request.get("data_source_name") or "")
    found = _source(conn, name)
    if found is None:
        raise info(
            f"no loaded project declares a data source {name!r}: declare it with "
            "DataSource(...) in the project's data_sources"
        )
    _, source = found
    if source.search_hook is None:
        raise info(f"data source {name!r} has no search: decorate one with @<source>.search")
    docs = []
    for row in source.search_hook(search_term(str(request.get("url") or ""))):
        docs.append(source.result_row(row))
        if len(docs) >= MAX_RESULTS:
            break
    results = json.dumps({"response": {"numFound": len(docs), "docs": docs}})
    message = json.dumps({"data_source_name": name, "results": results})
    return Reply("data_source_results_fetched", {"data_source_results_fetched": message})


def _queries(conn: Session, data: Any) -> tuple[LoadedProject, Any]:
    loaded = loaded_project(conn, data)
    return loaded, parse_runnable(obj(data))


@handler("run_query")
def run_query(conn: Session, data: Any) -> Reply:
    loaded, runnable = _queries(conn, data)
    project = loaded.runtime.project
    try:
        results = run_queries(loaded.model.model, runnable, project.query_processors)
    except QueryError as exc:
        raise info(str(exc)) from None
    return Reply("return_query_results", {"return_query_results": gm.query_results_json(results)})


@handler("run_query_count")
def run_query_count(conn: Session, data: Any) -> Reply:
    loaded, runnable = _queries(conn, data)
    project = loaded.runtime.project
    try:
        count = count_queries(loaded.model.model, runnable, project.query_processors)
    except QueryError as exc:
        raise info(str(exc)) from None
    return Reply("return_query_count", {"return_query_count": str(count)})


@handler("fetch")
def fetch(conn: Session, data: Any) -> Reply:
    """geppetto-meta's fetch of variables (and instances: top-level variables here, as a
    model without worlds holds them) from a data source: `fetched`, a delta of the model."""
    loaded = loaded_project(conn, data)
    request = obj(data)
    source = str(request.get("dataSourceId") or "")
    hook = loaded.runtime.project.fetcher(source)
    if hook is None:
        raise info(f"project {loaded.runtime.name!r} has no data source to fetch variables from")
    ids = [*_ids(request.get("variables")), *_ids(request.get("instances"))]
    if not ids:
        raise ValueError("fetch names no variables or instances")

    def every(model: Any, _: str, data_source_id: str) -> None:
        # One change of the model, so one delta carries what every fetch added.
        for variable_id in ids:
            added = hook(model, variable_id, data_source_id)
            if isinstance(added, gm.Variable) and all(v is not added for v in model.variables):
                model.add_variable(added)

    return Reply("fetched", {"fetched": loaded.model.fetch_variable(ids[0], source, every)})


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError("variables and instances are lists of ids")
