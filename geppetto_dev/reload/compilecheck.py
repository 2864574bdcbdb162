"""Compile a changed file before restarting, so a typo never takes the running server down."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from geppetto_dev.problems import Problem
from geppetto_dev.tracebacks import problem_from_exception

__all__ = ["NOT_RELOADED", "compile_error", "recheck"]

# What a save that does not compile means for the developer: nothing of it runs yet.
NOT_RELOADED = "Not reloaded: the server keeps running the previous code"


def compile_error(path: Path) -> Problem | None:
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
        problem = problem_from_exception(exc, NOT_RELOADED)
        if problem.file is None:  # a ValueError names no file: this one is
            problem = Problem(
                NOT_RELOADED, problem.title, problem.message, str(path), detail=problem.detail
            )
        return problem
    return None


def recheck(broken: dict[Path, Problem], changed: Iterable[Path]) -> None:
    """Compile the saved files and those still broken: `broken` keeps each that fails."""
    for path in {*changed, *broken}:
        problem = compile_error(path) if path.exists() and path.suffix == ".py" else None
        if problem:
            broken[path] = problem
        else:
            broken.pop(path, None)
