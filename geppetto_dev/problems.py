"""An error as a developer needs to see it: where it happened, the code there, what went wrong.

Made from a Python exception (tracebacks.py) or from a frontend build's log (frontend/buildlog.py);
shown in the terminal, on the browser's error overlay and on the error page of a server whose
app failed to load. Plain frozen data, so it crosses between the reload supervisor's processes
as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = ["BUILD", "ELSEWHERE", "PYTHON", "Problem", "excerpt"]

# Where a problem comes from: the overlay keeps one list per source, so a fixed build does not
# clear a Python error, nor a reload a build error.
PYTHON = "python"
BUILD = "build"
# What a client on another machine is shown instead of the details (they quote source lines).
ELSEWHERE = "The details are in the terminal of geppetto-dev, on the server's machine."
# Lines of code shown before and after the line of the error.
CONTEXT_LINES = 3


@dataclass(frozen=True)
class Problem:
    """One error: `heading` says what it means for the developer ("The app failed to load"),
    `title` and `message` what Python or the build tool said, `file`/`line`/`column` where,
    `code` the numbered lines around it, `detail` the short traceback or the tool's own text."""

    heading: str
    title: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    code: tuple[tuple[int, str], ...] = ()
    detail: str = ""
    source: str = PYTHON

    @property
    def where(self) -> str:
        """`file:line:column`, as editors and terminals link it; empty when unknown."""
        if not self.file:
            return ""
        parts = [self.file, *(str(n) for n in (self.line, self.column) if n)]
        return ":".join(parts if self.line else parts[:1])

    def to_json(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "title": self.title,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "where": self.where,
            "code": [list(pair) for pair in self.code],
            "detail": self.detail,
            "source": self.source,
        }

    def redacted(self) -> Problem:
        """What a client on another machine may see: that there is an error, not its text."""
        return Problem(self.heading, "Error", ELSEWHERE, source=self.source)

    def text(self) -> str:
        """The terminal's rendering: the detail when there is one, else title, place and code."""
        if self.detail:
            return self.detail.rstrip()
        lines = [f"{self.title}: {self.message}" if self.message else self.title]
        if self.where:
            lines.append(f"  at {self.where}")
        lines += [f"  {n:>5} | {code}" for n, code in self.code]
        return "\n".join(lines)

    def with_heading(self, heading: str) -> Problem:
        return replace(self, heading=heading)


def excerpt(
    file: str | Path, line: int | None, around: int = CONTEXT_LINES
) -> tuple[tuple[int, str], ...]:
    """The numbered lines around `line` of `file`, read now (the file may just have changed)."""
    if not line or line < 1:
        return ()
    try:
        lines = Path(file).read_text(encoding="utf-8", errors="replace").splitlines()
    except (OSError, ValueError):
        return ()
    if line > len(lines):
        return ()
    first = max(1, line - around)
    last = min(len(lines), line + around)
    return tuple((n, lines[n - 1].rstrip()) for n in range(first, last + 1))
