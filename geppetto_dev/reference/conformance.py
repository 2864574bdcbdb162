"""The conformance table: every request type the Java server (0.3.8) accepted, and those of
newer clients, with what Java answered, what this server answers, and the tests that prove it.

The answers come from the handler registry (as the protocol table); the proofs from the test
suite's source, read without importing it: a test marked `@proves("get_script", ...)` proves
those types (`tests/proves.py`). Built outside a checkout (no tests folder), the proof column
stays empty.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

from geppetto_dev.protocol.replies import HandlerLookup, handled_types
from geppetto_dev.reference.markdown import code, table
from geppetto_dev.reference.protocol import server_registry

__all__ = [
    "JAVA_INBOUND",
    "JAVA_REPLIES",
    "NEWER_CLIENTS",
    "conformance_markdown",
    "proofs",
]

# InboundMessages.java (org.geppetto.frontend 0.3.8), in its order, as the clients send them.
# Java dispatched on the constant's name: "unlink_dropbox" worked, its string "unlink_drobpox"
# did not.
JAVA_INBOUND: tuple[str, ...] = (
    "geppetto_version", "user_privileges", "notify_user", "get_script",
    "get_data_source_results", "load_project_from_url", "load_project_from_id",
    "load_project_from_content", "save_project_properties", "persist_project",
    "make_project_public", "download_project", "new_experiment", "new_experiment_batch",
    "clone_experiment", "load_experiment", "save_experiment_properties", "delete_experiment",
    "get_experiment_state", "experiment_status", "run_experiment", "set_watched_variables",
    "get_watch", "clear_watch", "set_parameters", "set_experiment_view", "link_dropbox",
    "unlink_dropbox", "upload_model", "upload_results", "get_supported_outputs",
    "download_model", "download_results", "fetch_variable", "resolve_import_type",
    "resolve_import_value", "run_query", "run_query_count",
)  # fmt: skip

# Types of later clients: geppetto-meta's fetch (pygeppetto answers it), jupyter-geppetto's
# reconnect.
NEWER_CLIENTS: tuple[str, ...] = ("fetch", "reconnect")

_LOAD = "`project_loaded`, `geppetto_model_loaded` [, `experiment_loading`, `experiment_loaded`]"
JAVA_REPLIES: dict[str, str] = {
    "geppetto_version": "`geppetto_version`",
    "user_privileges": "`user_privileges`",
    "notify_user": "nothing",
    "get_script": "`script_fetched`: the text at `scriptURL`, read against the project's URL",
    "get_data_source_results": "`data_source_results_fetched`: the text at the URL sent",
    "load_project_from_url": _LOAD,
    "load_project_from_id": _LOAD,
    "load_project_from_content": _LOAD,
    "save_project_properties": "`project_props_saved`",
    "persist_project": "`project_persisted` (a volatile project stored under a new id)",
    "make_project_public": "`project_made_public`",
    "download_project": "a zip file frame, then `download_project`",
    "new_experiment": "`experiment_created`",
    "new_experiment_batch": "`experiment_batch_created`",
    "clone_experiment": "`experiment_created`",
    "load_experiment": "`experiment_loading`, `experiment_loaded`",
    "save_experiment_properties": "`experiment_props_saved`",
    "delete_experiment": "`experiment_deleted`",
    "get_experiment_state": "`get_experiment_state`",
    "experiment_status": "`experiment_status`",
    "run_experiment": "nothing (`error_running_experiment` if the run fails)",
    "set_watched_variables": "`watched_variables_set`",
    "get_watch": "nothing",
    "clear_watch": "nothing (its dispatch failed)",
    "set_parameters": "`update_model_tree`",
    "set_experiment_view": "nothing",
    "link_dropbox": "`dropbox_linked`",
    "unlink_dropbox": "`dropbox_unlinked`, without requestID",
    "upload_model": "`model_uploaded`, without requestID",
    "upload_results": "`results_uploaded`, without requestID",
    "get_supported_outputs": "`get_supported_outputs`",
    "download_model": "a zip file frame, then `download_model`",
    "download_results": "a file frame, then `download_results`",
    "fetch_variable": "`variable_fetched`",
    "resolve_import_type": "`import_type_resolved`",
    "resolve_import_value": "`import_value_resolved`",
    "run_query": "`return_query_results`",
    "run_query_count": "`return_query_count`",
    "fetch": "(geppetto-meta, pygeppetto) `fetched`",
    "reconnect": "(jupyter-geppetto) nothing; the connection's state is restored",
}

# The marker tests carry: @proves("type", ...), with strings, or `*NAME` for a module-level
# list, tuple or dict (its keys) of them written out in the source.
MARKER = "proves"
_TESTS = Path(__file__).resolve().parents[2] / "tests"


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level `NAME = <expression>`, by name."""
    out: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                out[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            out[node.target.id] = node.value
    return out


def _strings(node: ast.expr | None) -> Iterator[str]:
    """The type names an expression spells out: a string, or the string items (or keys) of a
    list, tuple, set or dict written in the source."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.List | ast.Tuple | ast.Set):
        for item in node.elts:
            yield from _strings(item)
    elif isinstance(node, ast.Dict):
        for key in node.keys:
            yield from _strings(key)


def _kinds(arg: ast.expr, names: Mapping[str, ast.expr]) -> Iterator[str]:
    if isinstance(arg, ast.Starred):
        arg = arg.value
    if isinstance(arg, ast.Name):
        yield from _strings(names.get(arg.id))
    else:
        yield from _strings(arg)


def _marked(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Call]:
    calls = []
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            func = decorator.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == MARKER:
                calls.append(decorator)
    return calls


def proofs(tests_root: Path | None = None) -> dict[str, list[str]]:
    """{request type: ["tests/x.py::test_name", ...]} from the tests' `@proves` marks."""
    root = tests_root if tests_root is not None else _TESTS
    found: dict[str, list[str]] = {}
    if not root.is_dir():
        return found
    for path in sorted(root.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        names = _assignments(tree)
        where = path.relative_to(root.parent).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for call in _marked(node):
                    for arg in call.args:
                        for kind in _kinds(arg, names):
                            found.setdefault(kind, []).append(f"{where}::{node.name}")
    return found


def conformance_markdown(
    registry: HandlerLookup | None = None, tests_root: Path | None = None
) -> str:
    answers = {row.type: row.reply for row in handled_types(registry or server_registry())}
    proved = proofs(tests_root)
    rows = []
    for kind in (*JAVA_INBOUND, *NEWER_CLIENTS):
        tests = proved.get(kind, [])
        shown = "<br>".join(code(t) for t in sorted(set(tests))) or "—"
        rows.append(
            (
                code(kind),
                JAVA_REPLIES[kind],
                answers.get(kind, "`generic_error` (no handler)"),
                shown,
            )
        )
    return table(("Request type", "Java 0.3.8 answered", "geppetto-dev answers", "Proved by"), rows)
