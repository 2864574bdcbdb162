"""Compile a changed file before restarting, so a typo never takes the running server down."""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from pathlib import Path

__all__ = ["BrokenFiles", "compile_error"]


class BrokenFiles:
    """The saved files that do not compile, each kept until a later save makes it compile."""

    def __init__(self) -> None:
        self.errors: dict[Path, str] = {}

    def check(self, changed: Iterable[Path]) -> str | None:
        """The errors of every broken file after these saves, or None when all compile."""
        for path in {*changed, *self.errors}:
            error = compile_error(path) if path.exists() else None
            if error:
                self.errors[path] = error
            else:
                self.errors.pop(path, None)
        return "\n\n".join(self.errors.values()) or None


def compile_error(path: Path) -> str | None:
    """The error Python would report on importing `path`, or None when it compiles.

    Compiles in memory (no .pyc written); a file that vanished or cannot be read is not an error
    here, as the server child reports what importing it does.
    """
    try:
        source = path.read_bytes()
    except OSError:
        return None
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:  # ValueError: null bytes in the source
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    return None
