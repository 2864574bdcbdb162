"""`new-handler`: where a generated piece goes in a project made by `init`, and what to do next.

The project's layout is read from its settings: `app = "<package>.app:create_app"` names the
package (REST resources go in `<package>/api/`, blueprints in `<package>/blueprints/`), and
`handlers = "<package>.handlers"` names the WebSocket handlers package. Those packages are
discovered at start-up, so a new module there is live without editing registration code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geppetto_dev.config import INSPECTOR_PATH, Settings, load_settings, read_pyproject
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.procs.steps import Console
from geppetto_dev.projects.defaults import default_handlers
from geppetto_dev.scaffold.engine import (
    KINDS,
    Plan,
    PlanRefused,
    Status,
    apply_plan,
    format_results,
    plan_kind,
)
from geppetto_dev.scaffold.names import name_context, validate_name

__all__ = ["KINDS", "Piece", "new_piece", "plan_piece", "project_settings", "write_piece"]

NOT_A_PROJECT_HINT = (
    "run it in a project made by 'geppetto-dev init' "
    "(its pyproject.toml has [tool.geppetto-dev] with app and handlers)"
)


# Names the REST template imports; a resource class must not take one of them.
NAMES_IN_REST_TEMPLATE = frozenset({"Any", "ClassVar", "Resource"})


@dataclass(frozen=True)
class Piece:
    """A planned piece and what to tell the user about it."""

    plan: Plan
    module: Path
    test: Path
    next_steps: list[str]
    # Said whether or not anything is written (a dry run too): what the piece would change.
    notes: tuple[str, ...] = ()


def new_piece(
    kind: str,
    name: str,
    *,
    force: bool = False,
    dry_run: bool = False,
    console: Console | None = None,
    start: Path | None = None,
) -> None:
    """`geppetto-dev new-handler`: plan, write, and print each file's status and the next steps.

    A refused plan still prints every file's status before the error propagates, so the user
    sees which files conflict.
    """
    console = console or Console()
    piece = plan_piece(kind, name, project_settings(start))
    root = piece.plan.root
    try:
        results = write_piece(piece, force=force, dry_run=dry_run)
    except PlanRefused as exc:
        for line in format_results(exc.results, root):
            console.line(line)
        raise
    for line in format_results(results, root):
        console.line(line)
    for note in piece.notes:
        console.line(f"note: {note}")
    if dry_run:
        console.line("dry run: nothing was written")
        return
    console.line()
    console.line("Next steps:")
    for number, step in enumerate(piece.next_steps, 1):
        console.line(f"  {number}. {step}")


def project_settings(start: Path | None = None) -> Settings:
    """The settings of the project containing `start` (default: the current folder).

    Like git, `new-handler` works from any folder inside the project: the nearest folder
    upwards whose pyproject.toml has an `app` in [tool.geppetto-dev] is the project.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if "app" in read_pyproject(folder):
            return load_settings(project_dir=folder)
    return load_settings(project_dir=here)


def plan_piece(kind: str, name: str, settings: Settings) -> Piece:
    """Validate the name, find the target package, and plan the module and its test."""
    if kind not in KINDS:
        raise GeppettoDevError(f"unknown kind {kind!r}", f"use one of: {', '.join(KINDS)}")
    root = settings.project_dir
    validate_name(name, project_dir=root)
    package = _app_package(settings)
    context = {**name_context(name), "package": package}
    if context["class_name"] in NAMES_IN_REST_TEMPLATE:  # `class Any(Resource)` would shadow
        context["class_name"] += "Resource"
    if kind == "websocket":
        handlers = _handlers_package(settings)
        context["handlers_dir"] = handlers.replace(".", "/")
        target = _existing_package(root, handlers, "the handlers setting")
    else:
        sub = "api" if kind == "rest" else "blueprints"
        target = _existing_package(root, f"{package}.{sub}", f"the {kind} pieces")
    plan = plan_kind(kind, root, context)
    module = target / f"{name}.py"
    prefix = {"websocket": "ws", "rest": "api", "blueprint": "bp"}[kind]
    test = root / "tests" / f"test_{prefix}_{name}.py"
    missing = [p for p in (module, test) if p not in {plan.path(f) for f in plan.files}]
    if missing:  # pragma: no cover - the templates and this module disagree
        raise RuntimeError(f"the {kind} templates do not make {missing}")
    notes = []
    if kind == "websocket" and name in default_handlers():
        notes.append(f"this replaces geppetto-dev's built-in handler for '{name}'")
    return Piece(plan, module, test, _next_steps(kind, name, settings, module, test), tuple(notes))


def write_piece(piece: Piece, *, force: bool, dry_run: bool) -> list[tuple[Status, Path]]:
    """Apply the plan; a piece that already exists exactly as generated is refused too.

    Generating the same name twice is almost always a slip (the user meant a new piece), so it
    exits non-zero like a conflict rather than passing silently; --force accepts it.
    """
    results = apply_plan(piece.plan, on_existing="force" if force else "conflict", dry_run=dry_run)
    if not force and all(status == "identical" for status, _ in results):
        where = piece.module.relative_to(piece.plan.root).as_posix()
        raise PlanRefused(
            f"{where} already exists, as generated; nothing was written",
            "edit it, pick another name, or use --force to generate it again",
            results,
        )
    return results


def _app_package(settings: Settings) -> str:
    if not settings.app:
        raise GeppettoDevError(
            f"no geppetto-dev project in {settings.project_dir} (no 'app' setting)",
            NOT_A_PROJECT_HINT,
        )
    module = settings.app.partition(":")[0]
    return module.split(".")[0]


def _handlers_package(settings: Settings) -> str:
    if not settings.handlers:
        raise GeppettoDevError(
            f"the project in {settings.project_dir} has no 'handlers' setting",
            'add handlers = "<package>.handlers" to [tool.geppetto-dev] in pyproject.toml',
        )
    return settings.handlers


def _existing_package(root: Path, dotted: str, what: str) -> Path:
    folder = root.joinpath(*dotted.split("."))
    if not (folder / "__init__.py").is_file():
        raise GeppettoDevError(
            f"{what} go in the package {dotted}, but {folder} is not a package folder",
            f"create {folder.relative_to(root) / '__init__.py'} or {NOT_A_PROJECT_HINT}",
        )
    return folder


def _next_steps(kind: str, name: str, settings: Settings, module: Path, test: Path) -> list[str]:
    root = settings.project_dir
    where = module.relative_to(root).as_posix()
    base = f"http://{settings.host}:{settings.port}"
    serve = "start it with 'geppetto-dev serve' (under 'serve --reload' it is live already)"
    if kind == "websocket":
        request = f'{{"requestID": "1", "type": "{name}", "data": "{{}}"}}'
        steps = [
            f"edit {where}: handle_{name} answers the message type '{name}'",
            serve,
            f"send {request} to ws://{settings.host}:{settings.port}{settings.websocket_path}"
            + (
                f", e.g. from the protocol inspector at {base}{INSPECTOR_PATH}"
                if settings.inspector
                else ""
            ),
        ]
    elif kind == "rest":
        steps = [
            f"edit {where}: the resource at /api/{name} (GET lists, POST adds)",
            serve,
            f"curl {base}/api/{name}",
            f"curl -X POST -H 'Content-Type: application/json' -d '{{\"name\": \"example\"}}' "
            f"{base}/api/{name}",
        ]
    else:
        steps = [
            f"edit {where}: the blueprint with its route at /{name}",
            serve,
            f"curl {base}/{name}",
        ]
    steps.append(f"run its test: python -m pytest {test.relative_to(root).as_posix()}")
    return steps
