"""The package's import graph runs one way: each module imports only from the layers below its own.

Read from the source with `ast`, not by importing, so every import counts: lazy ones inside
functions, those under `TYPE_CHECKING`, and the module names handed to child processes
(`python -m geppetto_dev.reload.child`) or to a preload list, which are imports made later.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO

PACKAGE = "geppetto_dev"

# The one table of layers, top to bottom. A module may import its own package (the first name
# after `geppetto_dev.`) and any package of a row below its row; never its row's other entries,
# never a row above. "geppetto_dev" stands for the package's own __init__ (its public face).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__", "reference"),  # python -m geppetto_dev; the docs' pages generated from the code
    ("cli", "example"),  # the commands; example is a demo app, served as a user's project is
    ("cli_users", "cli_usage"),  # the `users` command group; a usage error in one line
    ("serve", "project_init", "users", "view"),  # the one function each command calls
    (PACKAGE,),  # the public face: what projects import, re-exported from the layers below
    ("reload", "frontend"),  # serve --reload; the frontend's clone, npm and build-watch
    ("server", "scaffold"),  # Tornado stack and inspector; the template engine and pieces
    ("application",),  # the application object: loads the project, owns its services
    ("accounts",),  # users, logins and the login pages of accounts mode
    ("storage",),  # the projects' experiment store on a database
    ("projects",),  # projects, experiments, the default handlers of the conversation
    ("simulators",),  # simulators by simulatorId, NEURON, jNeuroML, results formats
    ("interpreters",),  # model files read into Geppetto models
    ("protocol", "model"),  # the wire protocol; Geppetto models as Python values
    ("config", "procs", "discovery", "app_reference", "logs", "executors", "tracebacks", "caches"),
    ("setting_values",),  # a file or environment value turned into a setting's type
    ("setting_rules",),  # privileges, npm and host names: what config checks values against
    ("errors", "problems"),  # the one error type users fix; an error as a developer sees it
)

# Inside a package, its modules in layers too (top to bottom); the package's __init__ may
# import any of them. A module of a package listed here must have a row.
INNER: dict[str, tuple[tuple[str, ...], ...]] = {
    "projects": (
        # What an application includes: the defaults, the privilege each message needs; the demo.
        ("defaults", "demo", "privileges"),
        # default handlers that build on those below: batches and persistence on editing
        ("batches", "persistence"),
        ("project_zip",),  # the zip download_project sends (its project files, the scripts)
        # default handlers
        (
            "editing",
            "experiments",
            "model_requests",
            "query_requests",
            "scripts",
            "session_requests",
            "transfers",
        ),
        ("loading", "queries"),  # loading a project (others reuse its replies); running queries
        ("file_loading",),  # loading projects that are files; their errors as answers
        ("conversation",),  # what the handlers share: answers, request readers
        ("services",),  # what the handlers run on, owned by an application
        ("reconnection",),  # what a dropped connection leaves for its client's reconnect
        ("connection",),  # what one connection holds
        ("runtime", "uploads"),  # a project as the server runs it; the upload store
        ("model_source", "runs", "simulation"),  # a project's model; its runs; what runs them
        ("pygeppetto_models", "project_json"),  # pygeppetto's models; project JSON
        ("file_projects", "model_reading"),  # projects that are files; read_model()
        # one connection's model handle; experiment state; the file a simulator runs
        ("connection_model", "records", "simulated_files"),
        ("project",),  # the declarations: Project, Experiment, RunRequest, @project
        ("data_sources",),  # data sources declared in Python; query processors
        ("client_config",),  # the 0.3.8 client's configuration of a data source (a script)
        ("ownership",),  # what belongs to which user: saved projects, runs
        ("viewer",),  # who a connection acts for, and Geppetto's privileges
    ),
    "application": (
        ("geppetto_app",),
        ("loader", "services", "testing"),
        # the interpreters, file projects and simulators of an application
        ("model_files", "simulators"),
    ),
    "accounts": (
        ("cookies",),  # the account a session cookie names, for Tornado
        ("login", "extra"),  # the login pages (Flask-Login, Flask-WTF); whether they are installed
        ("pages", "service"),  # their HTML; the running accounts
        ("secret", "sessions", "throttle"),  # the cookie key, logins, failed logins
        ("users",),  # the accounts table
        ("passwords", "roles"),  # Werkzeug's hashes; roles as privileges
    ),
    "storage": (
        ("warm",),
        ("experiment_store", "ownership"),
        ("rows",),
        ("servers",),
        ("schema",),
        ("db",),
    ),
}

# What the layering exists to guarantee, spelled out so that reordering the table cannot quietly
# drop it: the server and the protocol know nothing of processes or the commands above them, the
# protocol knows no application settings, and the model is plain data.
FORBIDDEN: dict[str, frozenset[str]] = {
    "server": frozenset({"reload", "procs", "cli", "serve", "project_init"}),
    "protocol": frozenset(
        {"reload", "procs", "cli", "serve", "project_init", "server", "config", "application"}
    ),
    "projects": frozenset({"config", "application", "server"}),
}
MODEL_MAY_IMPORT = frozenset({"model", "errors"})


@dataclass(frozen=True)
class Import:
    """One import of a package module: who imports what, and where."""

    file: str  # path from the package's parent folder: geppetto_dev/server/stack.py
    line: int
    importer: str  # dotted module name of the importing file
    target: str  # dotted module name imported

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: imports {self.target}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exists(root: Path, dotted: str) -> bool:
    """Is `dotted` a module or package of the tree at `root`?"""
    rel = Path(*dotted.split(".")[1:]) if "." in dotted else Path()
    base = root / rel
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports(root: Path) -> Iterator[Import]:
    """Every import of the package `root` by a module of it, with its file and line."""
    package = root.name
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.Constant)):
                line = node.lineno
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    here = importer.split(".") if is_package else importer.split(".")[:-1]
                    here = here[: len(here) - (node.level - 1)]
                    base = ".".join([*here, *([node.module] if node.module else [])])
                else:
                    base = node.module or ""
                # `from geppetto_dev import model` imports the submodule, not the __init__.
                subs = [f"{base}.{a.name}" for a in node.names if _exists(root, f"{base}.{a.name}")]
                targets = subs if len(subs) == len(node.names) else [base, *subs]
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith(package + ".")
                and node.value.replace(".", "").replace("_", "").isalnum()
                and _exists(root, node.value)
            ):
                targets = [node.value]  # a module started by name: `-m`, a preload list
            for target in targets:
                if target == package or target.startswith(package + "."):
                    file = path.relative_to(root.parent).as_posix()
                    yield Import(file, line, importer, target)


def layer_key(dotted: str) -> str:
    """The table entry a module belongs to: its first name below the package."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def rows() -> dict[str, int]:
    return {key: row for row, keys in enumerate(LAYERS) for key in keys}


def inner_key(dotted: str) -> str | None:
    """The module's name inside its package (None for the package itself and top modules)."""
    parts = dotted.split(".")
    return parts[2] if len(parts) > 2 else None


def inner_violation(imp: Import) -> str | None:
    """Within a package of INNER, an import that goes up or sideways."""
    package = layer_key(imp.importer)
    table = INNER.get(package)
    if table is None or layer_key(imp.target) != package:
        return None
    src, dst = inner_key(imp.importer), inner_key(imp.target)
    if src is None or dst is None or src == dst:
        return None
    row_of = {key: row for row, keys in enumerate(table) for key in keys}
    if src not in row_of or dst not in row_of:
        missing = src if src not in row_of else dst
        return f"{imp} ({package}.{missing} is in no row of INNER[{package!r}])"
    if row_of[dst] <= row_of[src]:
        return f"{imp} ({package}.{dst} is not below {package}.{src})"
    return None


def violations(root: Path) -> list[str]:
    """Each import that breaks the table or a forbidden edge, as `file:line: imports X (why)`."""
    row_of = rows()
    found: list[str] = []
    for imp in imports(root):
        src, dst = layer_key(imp.importer), layer_key(imp.target)
        if src == dst:
            inner = inner_violation(imp)
            if inner:
                found.append(inner)
            continue
        if src not in row_of or dst not in row_of:
            missing = src if src not in row_of else dst
            found.append(f"{imp} ({missing!r} is in no row of LAYERS: add it where it belongs)")
        elif row_of[dst] == row_of[src]:
            found.append(f"{imp} ({src} and {dst} share a row: neither may import the other)")
        elif row_of[dst] < row_of[src]:
            found.append(f"{imp} ({dst} is a layer above {src})")
        if dst in FORBIDDEN.get(src, ()):
            found.append(f"{imp} ({src} must never import {dst})")
        if src == "model" and dst not in MODEL_MAY_IMPORT:
            found.append(f"{imp} (model imports nothing of the package but errors)")
    return found


def test_imports_run_down_the_layers() -> None:
    found = violations(REPO / PACKAGE)
    assert not found, "imports against the layering:\n  " + "\n  ".join(found)


def test_every_package_and_module_has_a_row() -> None:
    root = REPO / PACKAGE
    keys = {layer_key(module_name(p, root)) for p in root.rglob("*.py")}
    assert keys <= set(rows()), f"add to LAYERS: {sorted(keys - set(rows()))}"


def test_the_table_keeps_the_issue_order() -> None:
    """cli -> serve -> reload -> server -> protocol -> config -> errors, as the layers promise."""
    row_of = rows()
    chain = ["cli", "serve", "reload", "server", "protocol", "config", "errors"]
    assert [row_of[k] for k in chain] == sorted({row_of[k] for k in chain})
    for below_commands in ("procs", "frontend", "scaffold"):
        assert row_of[below_commands] > row_of["serve"]


@pytest.mark.parametrize(
    ("file", "source", "expected"),
    [
        ("server/stack.py", "\n\nimport geppetto_dev.reload.watch\n", "must never import reload"),
        ("protocol/session.py", "import geppetto_dev.server.server\n", "server is a layer above"),
        (
            "protocol/session.py",
            "from geppetto_dev.config import Settings\n",
            "never import config",
        ),
        ("projects/project.py", "from .services import x\n", "not below projects.project"),
        ("protocol/registry.py", "from ..procs.groups import x\n", "must never import procs"),
        ("config.py", "def f():\n    from geppetto_dev import cli\n", "cli is a layer above"),
        ("model/nodes.py", "from geppetto_dev.config import X\n", "model imports nothing"),
        ("reload/child.py", "from geppetto_dev import frontend\n", "share a row"),
        ("server/server.py", 'ARGV = ["-m", "geppetto_dev.serve"]\n', "serve is a layer above"),
        ("newthing.py", "from geppetto_dev import errors\n", "'newthing' is in no row"),
    ],
)
def test_a_bad_import_is_named_with_its_file_and_line(
    tmp_path: Path, file: str, source: str, expected: str
) -> None:
    """The check on a copy of the tree's shape with one bad import added: it names file:line."""
    root = tmp_path / PACKAGE
    for existing in (REPO / PACKAGE).rglob("*.py"):
        copy = root / existing.relative_to(REPO / PACKAGE)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text("")  # only the module names matter; the one bad file has content
    (root / "serve.py").touch()
    (root / file).write_text(source)
    found = violations(root)
    line = source.rstrip("\n").count("\n") + 1
    assert len(found) >= 1 and all(f.startswith(f"{PACKAGE}/{file}:{line}: ") for f in found)
    assert any(expected in f for f in found), found
