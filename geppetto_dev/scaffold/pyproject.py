"""Editing a project's pyproject.toml in place: init records the settings it was given there."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from geppetto_dev.config import TOOL_TABLE

__all__ = ["write_tool_keys"]

_TABLE_HEADER = re.compile(rf"^\[tool\.{re.escape(TOOL_TABLE)}\][ \t]*(#.*)?$", re.MULTILINE)


def write_tool_keys(pyproject: Path, values: Mapping[str, str]) -> bool:
    """Set string keys of [tool.geppetto-dev], editing only their lines (comments stay).

    A key that is missing is added at the end of the table. Returns False, writing nothing,
    when the file has no such table.
    """
    try:
        text = pyproject.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    table = _TABLE_HEADER.search(text)
    if table is None:
        return False
    end_match = re.compile(r"^\[", re.MULTILINE).search(text, table.end())
    end = end_match.start() if end_match else len(text)
    body = text[table.end() : end]
    for key, value in values.items():
        line = f"{key} = {json.dumps(value)}"
        pattern = re.compile(rf"^{re.escape(key)}[ \t]*=.*$", re.MULTILINE)
        found = pattern.search(body)
        if found:
            body = body[: found.start()] + line + body[found.end() :]
        else:
            content = body.rstrip("\n")
            body = content + "\n" + line + "\n" + ("\n" if end_match else "")
    new = text[: table.end()] + body + text[end:]
    if new != text:
        pyproject.write_text(new, encoding="utf-8")
    return True
