"""Finding the project's code: `module:attr` references and packages whose modules self-register."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING, Any

from geppetto_dev.errors import GeppettoDevError

if TYPE_CHECKING:
    from flask import Blueprint, Flask

__all__ = ["import_object", "import_submodules", "register_blueprints", "register_resources"]


def import_submodules(name: str, setting: str = "handlers") -> list[ModuleType]:
    """Import a module and, for a package, every module below it (handlers register on import).

    `setting` names the setting that gave `name`, for the hint when it cannot be imported."""
    root = _import(name, f"run from the project folder or fix the '{setting}' setting")
    modules = [root]
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=f"{name}."):
        modules.append(importlib.import_module(info.name))
    return modules


def _import(name: str, hint: str) -> ModuleType:
    """Import `name`; a missing module (not one missing inside it) is the user's error."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise GeppettoDevError(f"cannot import module {name!r}", hint) from None
        raise


def import_object(reference: str) -> Any:
    """Resolve `module:attr` (attr may be dotted), with messages that say which part failed."""
    module_name, sep, attr = reference.partition(":")
    if not sep or not module_name or not attr:
        raise GeppettoDevError(
            f"invalid app reference {reference!r}", "use MODULE:ATTR, e.g. myproject.app:app"
        )
    target: Any = _import(module_name, f"run from the project folder or fix --app {reference}")
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise GeppettoDevError(
                f"module {module_name!r} has no attribute {attr!r}",
                "check the part after ':' in --app",
            ) from None
    return target


def register_resources(api: Any, package: str) -> list[type]:
    """Add every flask-restful Resource defined in `package`'s modules that declares `routes`.

    A project's `create_app` calls this once, so a new module in the package (e.g. one made by
    `geppetto-dev new-handler rest`) is live on the next start without editing registration
    code. Endpoints are qualified by module, so two modules may both define `Items`.
    """
    from flask_restful import Resource

    importlib.invalidate_caches()  # a module added since the last scan must be importable
    added: list[type] = []
    for module in import_submodules(package):
        for obj in list(vars(module).values()):
            if not (
                isinstance(obj, type)
                and issubclass(obj, Resource)
                and obj.__module__ == module.__name__
            ):
                continue
            routes = getattr(obj, "routes", None)
            if not routes:
                continue
            if isinstance(routes, str):
                routes = (routes,)
            api.add_resource(obj, *routes, endpoint=f"{module.__name__}.{obj.__name__}")
            added.append(obj)
    return added


def register_blueprints(app: Flask, package: str) -> list[Blueprint]:
    """Register every Flask blueprint created in `package`'s modules (not merely imported there)."""
    from flask import Blueprint

    importlib.invalidate_caches()
    added: list[Blueprint] = []
    for module in import_submodules(package):
        for obj in list(vars(module).values()):
            # The same object twice (a second create_app in one process) is no error; another
            # blueprint under a taken name is, and Flask says so.
            if (
                isinstance(obj, Blueprint)
                and obj.import_name == module.__name__
                and app.blueprints.get(obj.name) is not obj
            ):
                app.register_blueprint(obj)
                added.append(obj)
    return added
