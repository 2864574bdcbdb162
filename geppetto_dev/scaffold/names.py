"""Name rules for generated pieces and project packages, and the forms templates use."""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys
from collections.abc import Callable
from pathlib import Path

from geppetto_dev.errors import GeppettoDevError

__all__ = [
    "class_name",
    "name_context",
    "package_name_for",
    "project_name_for",
    "validate_name",
    "validate_project_name",
]

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# A distribution name pip accepts (PEP 508): letters, digits, "-", "_", ".", alphanumeric ends.
_PROJECT_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
# Folders of the starter project itself; a package of one of these names would collide.
_STARTER_FOLDERS = frozenset({"tests", "data", "frontend"})


def validate_name(name: str, *, what: str = "name", project_dir: Path | None = None) -> None:
    """Check a name that becomes a module, a message type and a URL; say which rule failed.

    Modules found inside `project_dir` (the project's own, e.g. after `pip install -e .`) do
    not count as shadowed.
    """
    hint = f"choose another {what}"
    if not name:
        raise GeppettoDevError(f"the {what} is empty", f"give a snake_case {what}, e.g. my_handler")
    if not name.isidentifier() or not name.isascii():
        suggestion = _snake(name)
        raise GeppettoDevError(
            f"{what} {name!r} is not a Python identifier "
            "(ASCII letters, digits and underscores, not starting with a digit)",
            f"try {suggestion!r}" if _SNAKE_CASE.fullmatch(suggestion) else hint,
        )
    if not _SNAKE_CASE.fullmatch(name):
        suggestion = _snake(name)
        raise GeppettoDevError(
            f"{what} {name!r} is not snake_case "
            "(lowercase words joined by single underscores, starting with a letter)",
            f"try {suggestion!r}" if _SNAKE_CASE.fullmatch(suggestion) else hint,
        )
    if keyword.iskeyword(name):
        raise GeppettoDevError(f"{what} {name!r} is a Python keyword", f"try '{name}_handler'")
    shadowed = _importable(name, project_dir)
    if shadowed:
        raise GeppettoDevError(
            f"{what} {name!r} would shadow the importable module {name!r} ({shadowed})",
            f"choose a name that is not a module, e.g. 'my_{name}'",
        )


def _snake(name: str) -> str:
    """A best guess at the snake_case form of a name, for the hint."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    cleaned = re.sub(r"[^0-9a-zA-Z]+", "_", words).strip("_").lower()
    return re.sub(r"_+", "_", cleaned)


def _importable(name: str, project_dir: Path | None = None) -> str:
    """Where an importable top-level module of this name lives, or "" when there is none.

    The current folder is left out of the search: the project's own folders (data/, tests/)
    are not modules users import, and `python -m` puts the current folder on sys.path while
    the console script does not, which would make the answer depend on how the CLI was run.
    """
    if name in sys.builtin_module_names:
        return "built in"
    if name in sys.stdlib_module_names:
        return "standard library"
    here = Path.cwd().resolve()
    saved = sys.path[:]
    sys.path[:] = [p for p in saved if p and Path(p).resolve() != here]
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    finally:
        sys.path[:] = saved
    if spec is None:
        return ""
    where = spec.origin or next(iter(spec.submodule_search_locations or []), "installed")
    if project_dir is not None and Path(where).resolve().is_relative_to(project_dir.resolve()):
        return ""
    return where


def class_name(name: str) -> str:
    """people_search -> PeopleSearch."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def name_context(name: str) -> dict[str, str]:
    """Every form of a generated piece's name that templates use."""
    return {
        "name": name,
        "class_name": class_name(name),
        "title": name.replace("_", " ").capitalize(),
        "url_path": f"/{name}",
        "api_path": f"/api/{name}",
    }


def package_name_for(project_name: str) -> str:
    """The Python package of a project folder: 'My Project-2' -> 'my_project_2'."""
    package = _snake(project_name)
    if package and package[0].isdigit():
        package = f"app_{package}"
    return package or "app"


def project_name_for(folder_name: str) -> str:
    """A valid project name close to a folder name: 'My App!' -> 'my-app'."""
    return re.sub(r"[^a-z0-9]+", "-", folder_name.lower()).strip("-")


def validate_project_name(
    name: str, *, project_dir: Path | None = None, hint: Callable[[str], str] | None = None
) -> None:
    """`init` names the project and its package after the folder: both must be valid.

    The message names the rule; `hint(valid_name)` says how to use a name that passes.
    """
    fixed = project_name_for(name)
    if not fixed or not fixed[0].isalpha():
        fixed = f"my-{fixed}".rstrip("-")
    if _PROJECT_NAME.fullmatch(name):
        fixed = f"my-{fixed}"  # the name is valid; should it fail, its package clashes
    advice = hint(fixed) if hint else f"name the folder {fixed!r} instead"
    if not _PROJECT_NAME.fullmatch(name):
        raise GeppettoDevError(
            f"{name!r} is not a valid project name (letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit)",
            advice,
        )
    package = package_name_for(name)
    if package in _STARTER_FOLDERS:
        raise GeppettoDevError(
            f"project {name!r} would get the package {package!r}, a folder of the starter itself",
            advice,
        )
    try:
        validate_name(package, what="package name", project_dir=project_dir)
    except GeppettoDevError as exc:
        raise GeppettoDevError(f"project {name!r}: {exc.message}", advice) from None
