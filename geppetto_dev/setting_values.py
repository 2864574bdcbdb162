"""A setting's value as pyproject.toml or the environment gives it, turned into its type.

TOML has booleans, numbers and lists; the environment has only text ("true", "8", "a,b"). Both
arrive here with where they came from, so that a wrong value is refused with one line naming
the key and its source instead of failing later, far from the mistake.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.setting_rules import check_npm_table

__all__ = ["coerce"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _optional(kind: Any) -> Any:
    """`X | None` -> X; any other type as it is."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return kind


def coerce(name: str, kind: Any, value: Any, source: str) -> Any:
    """`value` (from `source`) as the setting `name` of type `kind`, or what is wrong with it."""
    kind = _optional(kind)
    origin = typing.get_origin(kind)

    def bad(expected: str) -> GeppettoDevError:
        key = name.replace("_", "-")
        return GeppettoDevError(
            f"{source}: {key} must be {expected}, got {value!r}",
            f"fix {key} in {source}",
        )

    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise bad("true or false")
    if kind is int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise bad("an integer") from None
        if isinstance(value, bool) or number < 0:
            raise bad("a non-negative integer")
        return number
    if kind is float:
        try:
            real = float(value)
        except (TypeError, ValueError):
            raise bad("a number") from None
        if isinstance(value, bool) or not 0 <= real < float("inf"):
            raise bad("a non-negative number")
        return real
    if origin is tuple:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise bad("a list of strings")
        cleaned = [i.strip() for i in items if i.strip()]
        item_type = typing.get_args(kind)[0]
        return tuple(Path(i) for i in cleaned) if item_type is Path else tuple(cleaned)
    if origin is Mapping:
        if not isinstance(value, Mapping):
            raise bad("a table")
        if name in ("npm_pins", "npm_overrides"):
            check_npm_table(name, value, source)
        return dict(value)
    if kind is Path:
        if not isinstance(value, str | Path):
            raise bad("a path")
        return Path(value)
    if kind is not str:  # pragma: no cover - a new field type this function does not know yet
        raise TypeError(f"setting {name} has a type coerce() does not handle: {kind}")
    if not isinstance(value, str):
        raise bad("a string")
    return value
