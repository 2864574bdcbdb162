"""The little Markdown the generated pages need: tables whose cells cannot break the table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["cell", "code", "table"]


def cell(text: str) -> str:
    """Text safe in one table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def code(text: str) -> str:
    """A code span holding `text`, even when it contains backticks."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; each cell is passed through `cell`."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
