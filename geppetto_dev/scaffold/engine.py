"""Plan-then-apply rendering of `scaffold_templates/`: every file is planned before one is written.

Templates are plain files ending in `-tpl` (so linters and test runners never import them) in
which `{{ key }}` is replaced from a context; the same syntax works in file and folder names.
A leading `dot_` in a file name becomes `.` (`dot_gitignore-tpl` -> `.gitignore`), because
packaging globs skip hidden files.

`apply_plan` first decides a status for every file (create / identical / conflict / skip /
force), and with `on_existing="conflict"` writes nothing at all when any file conflicts: never
half a scaffold. Files are staged next to their target and renamed into place at the end, and a
failure part-way removes what was staged.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Literal

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.scaffold.names import validate_name

__all__ = [
    "KINDS",
    "PROJECT_CONTEXT_KEYS",
    "OnExisting",
    "Plan",
    "PlanRefused",
    "PlannedFile",
    "ScaffoldConflict",
    "Status",
    "apply_plan",
    "format_results",
    "plan_frontend",
    "plan_kind",
    "plan_project",
    "render",
    "templates_root",
]

Status = Literal["create", "identical", "conflict", "skip", "force"]
OnExisting = Literal["conflict", "skip", "force"]

KINDS = ("websocket", "rest", "blueprint")
# Frontends init writes from a template (instead of cloning): setting value -> template folder.
FRONTEND_TEMPLATES = {"meta": "frontend-meta"}
PROJECT_CONTEXT_KEYS = (
    "project_name",
    "package",
    "frontend_repo",
    "frontend_ref",
    "frontend_commit",
    "webapp_path",
    "frontend_dir",
    "frontend",
)
TEMPLATE_SUFFIX = "-tpl"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


# Templates and plans --------------------------------------------------------------------------


def templates_root() -> Traversable:
    """The shipped templates; in a source checkout, the repository's `scaffold_templates/`."""
    try:
        shipped = resources.files("geppetto_dev") / "scaffold_templates"
        if shipped.is_dir():
            return shipped
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover
        pass
    source = Path(__file__).resolve().parents[2] / "scaffold_templates"
    if source.is_dir():
        return source
    raise GeppettoDevError(  # pragma: no cover - a broken install
        "the scaffold templates are missing from this installation",
        "reinstall geppetto-dev",
    )


def render(text: str, context: Mapping[str, str]) -> str:
    """Replace every `{{ key }}`; an unknown key is a bug in a template, so it raises."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in context:
            raise KeyError(f"template placeholder {{{{ {key} }}}} has no value")
        return context[key]

    return _PLACEHOLDER.sub(value, text)


@dataclass(frozen=True)
class PlannedFile:
    relpath: PurePosixPath
    content: str


@dataclass(frozen=True)
class Plan:
    """Files to write under `root`, decided before anything touches the disk."""

    root: Path
    files: tuple[PlannedFile, ...]

    def path(self, file: PlannedFile) -> Path:
        return self.root.joinpath(*file.relpath.parts)


def _walk(folder: Traversable, prefix: PurePosixPath) -> Iterator[tuple[PurePosixPath, str]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            yield from _walk(entry, prefix / entry.name)
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            yield prefix / entry.name, entry.read_text(encoding="utf-8")


def _plan(kind: str, dest: Path, context: Mapping[str, str]) -> Plan:
    folder = templates_root() / kind
    if not folder.is_dir():
        raise ValueError(f"no templates for {kind!r}")
    files = []
    for relpath, text in _walk(folder, PurePosixPath()):
        name = relpath.name.removesuffix(TEMPLATE_SUFFIX)
        if name.startswith("dot_"):
            name = "." + name.removeprefix("dot_")
        target = PurePosixPath(render(str(relpath.with_name(name)), context))
        files.append(PlannedFile(target, render(text, context)))
    return Plan(dest.resolve(), tuple(sorted(files, key=lambda f: f.relpath)))


def plan_project(dest: Path, context: Mapping[str, str]) -> Plan:
    """The starter project's files; `context` needs every key of PROJECT_CONTEXT_KEYS."""
    missing = [key for key in PROJECT_CONTEXT_KEYS if key not in context]
    if missing:
        raise ValueError(f"project context lacks {', '.join(missing)}")
    try:
        validate_name(context["package"], what="package name", project_dir=dest)
    except GeppettoDevError as exc:
        raise GeppettoDevError(
            exc.message, f"the package is named after the project folder {dest.name!r}: rename it"
        ) from None
    for key in PROJECT_CONTEXT_KEYS:
        # The values land in TOML strings; these characters would need escaping there.
        if any(char in context[key] for char in '"\\\n'):
            raise GeppettoDevError(
                f"{key.replace('_', ' ')} {context[key]!r} contains a quote, backslash or newline",
                "use a value without them",
            )
    full = {
        **context,
        "package_upper": context["package"].upper(),
        **_frontend_lines(context),
    }
    return _plan("project", dest, full)


def _frontend_lines(context: Mapping[str, str]) -> dict[str, str]:
    """The starter's frontend settings and ignores: a clone is rebuilt, a template is source."""
    frontend_dir = context["frontend_dir"]
    if context["frontend"] in FRONTEND_TEMPLATES:
        return {
            "frontend_settings": (
                f'frontend = "{context["frontend"]}"\nfrontend-dir = "{frontend_dir}"'
            ),
            "frontend_ignore": (
                "# The frontend's packages and build output (`geppetto-dev init` makes them "
                f"again).\n{frontend_dir}/node_modules/\n{frontend_dir}/build/"
            ),
        }
    return {
        "frontend_settings": "\n".join(
            [
                f'frontend-dir = "{frontend_dir}"',
                f'frontend-repo = "{context["frontend_repo"]}"',
                f'frontend-ref = "{context["frontend_ref"]}"',
                f'frontend-commit = "{context["frontend_commit"]}"',
                f'webapp-path = "{context["webapp_path"]}"',
            ]
        ),
        "frontend_ignore": (
            "# The cloned and built Geppetto frontend (`geppetto-dev init` makes it again).\n"
            "/frontend/"
        ),
    }


def plan_frontend(frontend: str, dest: Path) -> Plan:
    """A frontend project (`frontend-meta/`) written as it is: it has no placeholders."""
    if frontend not in FRONTEND_TEMPLATES:
        raise ValueError(f"no template for the {frontend!r} frontend")
    return _plan(FRONTEND_TEMPLATES[frontend], dest, {})


def plan_kind(kind: str, dest: Path, context: Mapping[str, str]) -> Plan:
    """One generated piece (websocket, rest or blueprint) for the project at `dest`."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return _plan(kind, dest, context)


# Applying -------------------------------------------------------------------------------------


class PlanRefused(GeppettoDevError):
    """A plan that was not carried out; `results` has every file's status, for printing."""

    def __init__(self, message: str, hint: str, results: list[tuple[Status, Path]]) -> None:
        super().__init__(message, hint)
        self.results = results


class ScaffoldConflict(PlanRefused):
    """Some files exist with other content; nothing was written."""

    def __init__(self, results: list[tuple[Status, Path]], root: Path) -> None:
        conflicts = [path for status, path in results if status == "conflict"]
        shown = ", ".join(_display(path, root) for path in conflicts[:3])
        more = f" and {len(conflicts) - 3} more" if len(conflicts) > 3 else ""
        super().__init__(
            f"{len(conflicts)} file(s) already exist with other content ({shown}{more}); "
            "nothing was written",
            "use --force to overwrite them",
            results,
        )


def _status(path: Path, content: bytes, on_existing: OnExisting) -> Status:
    if not path.exists() and not path.is_symlink():
        return "create"
    if not path.is_file():
        raise GeppettoDevError(
            f"{path} exists and is not a file", "move it away, then run the command again"
        )
    if path.read_bytes() == content:
        return "identical"
    return "conflict" if on_existing == "conflict" else on_existing


def apply_plan(
    plan: Plan, *, on_existing: OnExisting = "conflict", dry_run: bool = False
) -> list[tuple[Status, Path]]:
    """Write the plan; returns (status, absolute path) for every file, in plan order.

    on_existing says what happens to a file that exists with other content: "conflict" refuses
    the whole plan (ScaffoldConflict, nothing written), "skip" keeps the user's file, "force"
    overwrites it. With dry_run nothing is written and the statuses say what would happen.
    """
    encoded = [(plan.path(f), f.content.encode("utf-8")) for f in plan.files]
    results: list[tuple[Status, Path]] = [
        (_status(path, data, on_existing), path) for path, data in encoded
    ]
    if any(status == "conflict" for status, _ in results):
        raise ScaffoldConflict(results, plan.root)
    if dry_run:
        return results
    writes = [
        (path, data)
        for (status, path), (_, data) in zip(results, encoded, strict=True)
        if status in ("create", "force")
    ]
    _write_all(writes)
    return results


def _write_all(writes: list[tuple[Path, bytes]]) -> None:
    """Stage every file beside its target, then rename all; undo everything on failure."""
    made_dirs: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for path, data in writes:
            missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
            for folder in reversed(missing):
                folder.mkdir()
                made_dirs.append(folder)
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(name), path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
            os.chmod(name, mode)
        for tmp, path in staged:
            existed = path.exists()
            os.replace(tmp, path)
            if not existed:
                placed.append(path)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for path in placed:
            path.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def format_results(results: list[tuple[Status, Path]], root: Path) -> list[str]:
    """Status lines as scaffolding tools print them: the word right-aligned, then the path."""
    return [f"{status:>10}  {_display(path, root)}" for status, path in results]
