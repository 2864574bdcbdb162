"""The 0.3.8 client's side of a Python data source: the script that configures its Spotlight
and query builder for it.

Both are configured in the browser (VFB did it in its extension's JavaScript): Spotlight needs
how to label and act on a search result, the query builder how to turn query results into its
table. A result type acts through `buttons` (a toolbar under the search box): 0.3.8's
Spotlight fails on a selected result that has bare `actions` and no buttons.

An experiment script is how a project runs code in the page, so a project serves this script
for its experiment (`@project.script`, `DataSource.client_script()`). The client runs a script
line by line, so each statement is one line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["DEFAULT_TYPE", "QUERY_NAME_TOKEN", "client_script", "result_types"]

DEFAULT_TYPE = "default"
# Where a query's description names the variable it runs on, in the query builder.
QUERY_NAME_TOKEN = "$NAME"

# Query results -> the builder's records: the ID column, a name, the other columns described.
_RESULTS_FILTERS = (
    "{getRecords: function (payload) { return payload.results.map(function (r) "
    "{ var columns = payload.header; return r.values.map(function (v, i) "
    "{ return {column: columns[i], value: v}; }); }); }, "
    "getId: function (record) { return record[0].value; }, "
    "getName: function (record) { return (record[1] || record[0]).value; }, "
    "getDescription: function (record) { return record.slice(2).map(function (c) "
    "{ return c.column + ': ' + c.value; }).join(', '); }, "
    "getType: function (record) { return ''; }, "
    "getImageData: function (record) { return undefined; }}"
)


def result_types(
    source_id: str, configured: Mapping[str, Mapping[str, Any]], *, fetch: bool
) -> dict[str, dict[str, Any]]:
    """Spotlight's configuration of each result type, a `default` one included (Spotlight
    fails on a result whose type it has no entry for): fetch the result's variable if the
    data source fetches, else log it."""
    out = {key: dict(value) for key, value in configured.items()}
    if DEFAULT_TYPE not in out:
        find = (
            "Model.getDatasources().filter(function (d) { return d.getId() === "
            f"{json.dumps(source_id)}; }})[0]"
        )
        button = (
            {"actions": [f"{find}.fetchVariable('$ID$')"], "label": "Fetch"}
            if fetch
            else {"actions": ["GEPPETTO.CommandController.log('$LABEL$ ($ID$)')"], "label": "Log"}
        )
        out[DEFAULT_TYPE] = {
            "icon": "fa-database",
            "buttons": {"open": {**button, "icon": "fa-database", "tooltip": button["label"]}},
        }
    return out


def client_script(
    source_id: str, types: Mapping[str, Mapping[str, Any]], *, with_queries: bool
) -> str:
    """Lines that add the data source to Spotlight and (`with_queries`) to the query builder,
    each only once (a script runs again at each load of the experiment)."""
    search = {
        "url": "$SEARCH_TERM$",  # the server reads the term from it, never fetches it
        "crossDomain": False,
        "id": "id",
        "label": {"field": "label", "formatting": "$VALUE$"},
        "explode_fields": [],
        "explode_arrays": [],
        "type": types,
    }
    key = json.dumps(source_id)
    lines = [
        "if (GEPPETTO.Spotlight && !GEPPETTO.Spotlight.configuration.SpotlightBar.DataSources"
        f"[{key}]) {{ GEPPETTO.Spotlight.addDataSource({{{key}: {json.dumps(search)}}}); }}"
    ]
    if with_queries:
        builder = {**search, "queryNameToken": QUERY_NAME_TOKEN}
        configure = (
            "function () { if (!GEPPETTO.QueryBuilder.configuration.DataSources"
            f"[{key}]) {{ GEPPETTO.QueryBuilder.addDataSource({{{key}: Object.assign("
            f"{json.dumps(builder)}, {{resultsFilters: {_RESULTS_FILTERS}}})}}); "
            'GEPPETTO.QueryBuilder.setResultsColumns(["id", "name", "description"]); } }'
        )
        lines.append(
            "(function (configure) { if (GEPPETTO.QueryBuilder) { configure(); } else { "
            'GEPPETTO.ComponentFactory.addComponent("QUERY", {}, '
            'document.getElementById("querybuilder"), configure); } })'
            f"({configure});"
        )
    return "\n".join(lines) + "\n"
