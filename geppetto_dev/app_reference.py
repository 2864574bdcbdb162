"""`--app` (the `app` setting) resolved to a Flask app by the rules `flask --app` follows.

`MODULE` alone: its `app` or `application`; else its only Flask instance; else a `create_app`
or `make_app` factory, called with no arguments. `MODULE:NAME`: that attribute (dotted names
too), called when it is a factory; `MODULE:NAME(ARGS)` calls it with literal arguments, as in
`myapp:create_app("dev")`. Each failure says which rule found nothing and what to write instead.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from types import ModuleType
from typing import TYPE_CHECKING, Any

from geppetto_dev.errors import GeppettoDevError

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["find_app"]

APP_NAMES = ("app", "application")
FACTORY_NAMES = ("create_app", "make_app")


def find_app(reference: str) -> Flask:
    """The Flask app `reference` names; a GeppettoDevError says what is wrong with it."""
    module_name, sep, expression = (part.strip() for part in reference.partition(":"))
    if not module_name or (sep and not expression):
        raise GeppettoDevError(
            f"invalid app reference {reference!r}",
            "use MODULE or MODULE:NAME, e.g. myproject.app or myproject.app:create_app",
        )
    module = _import(module_name, reference)
    if not sep:
        return _best_app(module)
    return _named_app(module, expression, reference)


def _import(name: str, reference: str) -> ModuleType:
    """Import `name`; a missing module (not one missing inside it) is the user's error."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise GeppettoDevError(
                f"cannot import module {name!r}",
                f"run from the project folder or fix --app {reference}",
            ) from None
        raise


def _best_app(module: ModuleType) -> Flask:
    from flask import Flask

    name = module.__name__
    for attr in APP_NAMES:
        if isinstance(getattr(module, attr, None), Flask):
            return getattr(module, attr)  # type: ignore[no-any-return]
    apps = [attr for attr, value in vars(module).items() if isinstance(value, Flask)]
    if len(apps) == 1:
        return getattr(module, apps[0])  # type: ignore[no-any-return]
    if apps:
        raise GeppettoDevError(
            f"module {name!r} has several Flask apps ({', '.join(sorted(apps))})",
            f"name one: --app {name}:{sorted(apps)[0]}",
        )
    for attr in FACTORY_NAMES:
        factory = getattr(module, attr, None)
        if inspect.isfunction(factory):
            return _call(factory, (), {}, f"{name}:{attr}")
    raise GeppettoDevError(
        f"module {name!r} has no Flask app: no {' or '.join(APP_NAMES)}, no Flask instance, "
        f"no {' or '.join(FACTORY_NAMES)} factory",
        f"name it: --app {name}:NAME",
    )


def _named_app(module: ModuleType, expression: str, reference: str) -> Flask:
    from flask import Flask

    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        node = None
    call = node if isinstance(node, ast.Call) else None
    path = _dotted(call.func if call else node)
    if path is None:
        raise GeppettoDevError(
            f"cannot read {expression!r} in --app {reference}",
            "after ':' give an attribute name, or a call with literal arguments: create_app('dev')",
        )
    target: Any = module
    for part in path:
        try:
            target = getattr(target, part)
        except AttributeError:
            raise GeppettoDevError(
                f"module {module.__name__!r} has no attribute {'.'.join(path)!r}",
                "check the part after ':' in --app",
            ) from None
    if call is not None:
        try:
            args = tuple(ast.literal_eval(arg) for arg in call.args)
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
        except ValueError:
            raise GeppettoDevError(
                f"the arguments in --app {reference} are not literals",
                "give strings, numbers, lists or dicts, e.g. create_app('dev', debug=True)",
            ) from None
        return _call(target, args, kwargs, reference)
    if isinstance(target, Flask):
        return target
    if callable(target):
        return _call(target, (), {}, reference)
    raise GeppettoDevError(
        f"{reference} is a {type(target).__name__}, not a Flask app",
        "point --app at a Flask instance or a function that returns one",
    )


def _dotted(node: ast.AST | None) -> list[str] | None:
    """`a.b.c` -> ["a", "b", "c"]; anything else -> None."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else [*head, node.attr]
    return None


def _call(factory: Any, args: tuple[Any, ...], kwargs: dict[str, Any], shown: str) -> Flask:
    from flask import Flask

    if not callable(factory):
        raise GeppettoDevError(f"{shown} is not a function", "drop the (...) from --app")
    try:
        inspect.signature(factory).bind(*args, **kwargs)
    except TypeError as exc:
        name = shown.split("(")[0]
        raise GeppettoDevError(
            f"{name} is not a Flask app, and a factory called with {_arguments(args, kwargs)} "
            f"fails ({exc})",
            f"point --app at a Flask app, or give the factory's arguments: --app '{name}(...)'",
        ) from None
    except ValueError:  # no signature (a builtin): let the call decide
        pass
    app = factory(*args, **kwargs)
    if not isinstance(app, Flask):
        raise GeppettoDevError(
            f"{shown.split('(')[0]}() returned a {type(app).__name__}, not a Flask app",
            "return the app from the factory",
        )
    return app


def _arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"({', '.join(shown)})" if shown else "no arguments"
