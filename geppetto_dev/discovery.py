"""Finding the project's code: `module:attr` references and packages whose modules self-register."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from geppetto_dev.errors import GeppettoDevError


def import_submodules(name: str) -> list[ModuleType]:
    """Import a module and, for a package, every module below it (handlers register on import)."""
    try:
        root = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise GeppettoDevError(
                f"cannot import {name!r}: module {exc.name!r} not found",
                "run from the project folder or fix the 'handlers' setting",
            ) from None
        raise
    modules = [root]
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=f"{name}."):
        modules.append(importlib.import_module(info.name))
    return modules


def import_object(reference: str) -> Any:
    """Resolve `module:attr` (attr may be dotted), with messages that say which part failed."""
    module_name, sep, attr = reference.partition(":")
    if not sep or not module_name or not attr:
        raise GeppettoDevError(
            f"invalid app reference {reference!r}", "use MODULE:ATTR, e.g. myproject.app:app"
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise GeppettoDevError(
                f"cannot import module {module_name!r} (from --app {reference})",
                "run from the project folder or check the module name",
            ) from None
        raise
    target: Any = module
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise GeppettoDevError(
                f"module {module_name!r} has no attribute {attr!r}",
                "check the part after ':' in --app",
            ) from None
    return target
