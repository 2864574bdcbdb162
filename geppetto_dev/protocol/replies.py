"""What each request of the Geppetto protocol is answered with, written for people.

The documentation's protocol reference and the inspector's protocol page both list the message
types a registry answers. The types come from the registry itself, so a type with a handler is
never missing and a project's own handlers are listed too; what a built-in handler replies is
described here, and any other handler by the first paragraph of its docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["BUILTIN_REPLIES", "HandledType", "HandlerLookup", "handled_types"]

_EXPERIMENT = "`experiment_loading`, `experiment_loaded` (with the recorded values once run)"
_NO_STORE = "; without an upload store (`GeppettoApp(uploads=...)`), `info_message`"
_SILENT = "nothing, as Java"

# Inline Markdown (code spans only), rendered as-is in the docs and as <code> in the inspector.
BUILTIN_REPLIES: dict[str, str] = {
    "geppetto_version": "`geppetto_version` with the version the server speaks "
    "(setting `geppetto-version`)",
    "load_project_from_id": "`project_loaded` (`persisted: true`, camelCase as Gson writes "
    "it), `geppetto_model_loaded`, " + _EXPERIMENT + "; an unknown project (or another "
    "user's private one): `error_loading_project` naming the registered ones",
    "load_project_from_url": "as `load_project_from_id`, for a project named by the last "
    "segment of the URL; other http(s) URLs only with `fetch-project-urls = true`",
    "load_project_from_content": "as `load_project_from_id`, for project JSON naming a "
    "registered project (loaded volatile: read-only, its experiments cannot run)",
    "resolve_import_type": "`import_type_resolved`: a delta of the model, unchanged objects as "
    '`{"synched": true}`',
    "resolve_import_value": "`import_value_resolved`: a delta of the model",
    "fetch_variable": "`variable_fetched`: a delta of the model",
    "load_experiment": _EXPERIMENT,
    "run_experiment": "nothing (the client polls `experiment_status`); `info_message` for a "
    "volatile project, a project with no `run` hook or model file, or a run already in flight; "
    "`error_running_experiment` for a simulator that is unknown or not installed (saying what "
    "to install), and from a failed run to the connection that started it",
    "experiment_status": '`experiment_status` `{"update": "[{projectID, experimentID, '
    'status}]"}`; RUNNING is told to each connection before the outcome; a running run that '
    "reports its progress adds `progress` (0 to 1)",
    "get_experiment_state": "`get_experiment_state` with the recorded values (COMPLETED "
    "experiments only; otherwise `info_message`)",
    "set_watched_variables": "`watched_variables_set` (paths with `(Type)` annotations accepted)",
    "download_model": 'a file frame, then `download_model` `{"update": ""}`; '
    "`error_downloading_model` for a format the project does not write",
    "get_supported_outputs": "`get_supported_outputs`: the formats the project downloads",
    "set_experiment_view": "nothing (the view is stored)",
    "reconnect": "nothing; the projects the dropped connection `connectionID` had loaded (same "
    "user, within 60 s) become this connection's",
    "new_experiment": "`experiment_created` (a new DESIGN experiment, next unused id)",
    "clone_experiment": "`experiment_created` (a DESIGN copy of the experiment)",
    "delete_experiment": '`experiment_deleted` `{"update": "{id, name}"}`; a run in flight is '
    "cancelled",
    "save_experiment_properties": "`experiment_props_saved` (name, description, script, "
    "`timeStep`, `length`, `simulatorId`, `conversionServiceId`, `SP$<name>` simulator "
    "parameters, `aspectInstancePath`; an ERROR experiment goes back to DESIGN, as Java)",
    "save_project_properties": "`project_props_saved`",
    "set_parameters": "`update_model_tree` (the experiment state with its parameters, as Java; "
    "DESIGN experiments only)",
    "persist_project": '`project_persisted` `{"update": "{projectID, activeExperimentID}"}`; a '
    "project loaded from JSON content is stored first, under a new id it loads by after a "
    "restart",
    "make_project_public": '`project_made_public` `{"update": "{id, isPublic}"}` (kept in the '
    "experiment store)",
    "download_project": "a file frame (`project.zip`, as Java's: `Project_<id>/<id>.json`, "
    "`GeppettoModel.xmi`, the model files and scripts), then "
    '`download_project` `{"update": ""}`; an `info_message` past the download bound',
    "download_results": "a file frame (`results.zip`, RAW text), then `download_results`; "
    "`error_downloading_results` for another format or an experiment not COMPLETED",
    "upload_model": "`model_uploaded` (no requestID, as Java), the model written by the "
    "project's download hook into the upload store" + _NO_STORE,
    "upload_results": "`results_uploaded` (no requestID, as Java), the results (RAW) into the "
    "upload store" + _NO_STORE,
    "link_dropbox": "`dropbox_linked`" + _NO_STORE,
    "unlink_dropbox": "`dropbox_unlinked` (no requestID, as Java)" + _NO_STORE,
    "new_experiment_batch": "`experiment_batch_created`: the new DESIGN experiments, with "
    "their watched variables, parameters and simulator settings",
    "get_script": "`script_fetched` with the script's text: the project's `script` hook, or a "
    "`.js` file in the project's folder; a URL gets an `info_message`, never a fetch",
    "get_data_source_results": "`data_source_results_fetched` "
    '`{data_source_name, results: "{response: {docs}}"}` from the data source\'s `search` (the '
    "URL only carries the term)",
    "run_query": "`return_query_results`: the EMF-JSON of the QueryResults (header, rows)",
    "run_query_count": "`return_query_count`: the number of results, as text",
    "fetch": "`fetched`: a delta of the model with the variables the data source added",
    "user_privileges": "`user_privileges`, as sent on connect",
    "notify_user": _SILENT,
    "get_watch": _SILENT,
    "clear_watch": _SILENT + " (Java failed on it without replying)",
}

# Handlers of this package; a project's own live in its modules.
_PACKAGE = __name__.split(".", 1)[0]


class HandlerLookup(Protocol):
    """What the table needs of a handler registry (`geppetto_dev.Registry` has both)."""

    def message_types(self) -> Iterable[str]: ...

    def get(self, kind: str) -> Callable[..., Any] | None: ...


@dataclass(frozen=True)
class HandledType:
    """One row: a request type, what it is answered with, and the function answering it."""

    type: str
    reply: str
    handler: str


def handled_types(registry: HandlerLookup) -> list[HandledType]:
    """Every type the registry answers, sorted, with its reply."""
    rows = []
    for kind in sorted(registry.message_types()):
        func = registry.get(kind)
        name = _name(func)
        rows.append(HandledType(kind, _reply(kind, func, name), name))
    return rows


def _reply(kind: str, func: Callable[..., Any] | None, name: str) -> str:
    # A project's own handler for a built-in type answers as its author says, not as ours do.
    if kind in BUILTIN_REPLIES and name.split(".", 1)[0] == _PACKAGE:
        return BUILTIN_REPLIES[kind]
    doc = (getattr(func, "__doc__", None) or "").strip()
    if doc:
        return " ".join(doc.split("\n\n", 1)[0].split())
    return f"answered by `{name}`"


def _name(func: Callable[..., Any] | None) -> str:
    if func is None:
        return "?"
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"
