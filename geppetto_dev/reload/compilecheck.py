"""Compile a changed file before restarting, so a typo never takes the running server down."""

from __future__ import annotations

import traceback
from pathlib import Path

__all__ = ["compile_error"]


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
