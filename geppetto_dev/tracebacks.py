"""Tracebacks of the user's own code: the frames of geppetto-dev, of libraries and of the import
system are left out, so an error in a project is a few lines naming the project's files.

A frame is the user's when its file is neither in this package nor in Python's standard library
nor in an installed distribution (site-packages). A traceback with no frame of the user's (a
bug of geppetto-dev or of a library) is kept whole: hiding everything would hide the cause.
"""

from __future__ import annotations

import os
import re
import sysconfig
import traceback
from functools import lru_cache

from geppetto_dev.problems import PYTHON, Problem, excerpt

__all__ = ["is_user_file", "problem_from_exception", "short_traceback"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
# The text of a traceback made in another process (concurrent.futures' _RemoteTraceback).
_TEXT_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in .*$')
# How much of a long exception message a heading-sized place shows.
MESSAGE_LIMIT = 2000


@lru_cache(maxsize=1)
def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {_PACKAGE}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            roots.add(os.path.abspath(paths[key]))
    return tuple(sorted(roots))


def is_user_file(filename: str) -> bool:
    """Whether a frame's file is the user's code (not this package, the stdlib or a library)."""
    if not filename or filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>
        return False
    path = os.path.abspath(filename)
    if any(path == root or path.startswith(root + os.sep) for root in _library_roots()):
        return False
    parts = path.split(os.sep)
    return "site-packages" not in parts and "dist-packages" not in parts


def _links(summary: traceback.TracebackException) -> list[traceback.TracebackException]:
    """`summary` and every exception it links to (causes, contexts), each once."""
    found: list[traceback.TracebackException] = []
    pending = [summary]
    while pending:
        current = pending.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        pending += [x for x in (current.__cause__, current.__context__) if x is not None]
    return found


def _has_user_frame(summary: traceback.TracebackException) -> bool:
    if any(is_user_file(frame.filename) for frame in summary.stack):
        return True
    remote = _remote_text(summary)
    return remote is not None and any(
        (m := _TEXT_FRAME.match(line)) is not None and is_user_file(m.group("file"))
        for line in remote.splitlines()
    )


def _trim(summary: traceback.TracebackException) -> int:
    """Drop the frames that are not the user's, in `summary` and its causes; how many went.

    Nothing is dropped when no exception of the chain has a frame of the user's."""
    links = _links(summary)
    if not any(_has_user_frame(link) or _is_syntax_error(link) for link in links):
        return 0
    hidden = 0
    for link in links:
        mine = [frame for frame in link.stack if is_user_file(frame.filename)]
        hidden += len(link.stack) - len(mine)
        link.stack = traceback.StackSummary.from_list(mine)
        remote = _remote_text(link)
        if remote is not None:
            text, dropped = _trim_text(remote)
            link._str = text  # type: ignore[attr-defined]  # the message of _RemoteTraceback
            hidden += dropped
    return hidden


def _is_syntax_error(summary: traceback.TracebackException) -> bool:
    exc_type = summary.exc_type
    return isinstance(exc_type, type) and issubclass(exc_type, SyntaxError)


def _remote_text(summary: traceback.TracebackException) -> str | None:
    exc_type = summary.exc_type
    if exc_type is None or exc_type.__name__ != "_RemoteTraceback":
        return None
    return str(getattr(summary, "_str", "")) or None


def _trim_text(text: str) -> tuple[str, int]:
    """A traceback as text with the frames of files that are not the user's taken out."""
    lines = text.splitlines()
    user = any(
        (m := _TEXT_FRAME.match(line)) is not None and is_user_file(m.group("file"))
        for line in lines
    )
    if not user:
        return text, 0
    kept: list[str] = []
    dropped = 0
    skipping = False
    for line in lines:
        match = _TEXT_FRAME.match(line)
        if match is not None:
            skipping = not is_user_file(match.group("file"))
            dropped += skipping
            if skipping:
                continue
        elif skipping and line.startswith("    "):
            continue  # the code line (and carets) of a frame left out
        else:
            skipping = False
        kept.append(line)
    return "\n".join(kept), dropped


def short_traceback(exc: BaseException) -> str:
    """The traceback of `exc` with only the user's frames, and a note of how many were hidden."""
    summary = traceback.TracebackException.from_exception(exc)
    hidden = _trim(summary)
    text = "".join(summary.format()).rstrip()
    if hidden:
        text += f"\n({hidden} frames of geppetto-dev, Python and libraries not shown)"
    return text


def _remote_place(text: str) -> tuple[str, int] | None:
    for line in reversed(text.splitlines()):
        match = _TEXT_FRAME.match(line)
        if match and is_user_file(match.group("file")):
            return match.group("file"), int(match.group("line"))
    return None


def _last_user_frame(exc: BaseException) -> tuple[str, int] | None:
    """Where the innermost frame of the user's is: in the worker process when the run failed
    in one (its traceback is text), else in the exception's own frames, then in its causes."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for linked in chain:
        if type(linked).__name__ == "_RemoteTraceback":
            place = _remote_place(str(linked))
            if place is not None:
                return place
    for linked in chain:
        for frame in reversed(traceback.extract_tb(linked.__traceback__)):
            if is_user_file(frame.filename) and frame.lineno:
                return frame.filename, frame.lineno
    return None


def problem_from_exception(exc: BaseException, heading: str) -> Problem:
    """The exception as a Problem: the user's line of it, the code around, the short traceback."""
    title = type(exc).__name__
    column: int | None = None
    if isinstance(exc, SyntaxError):
        message = exc.msg or ""
        file, line, column = exc.filename, exc.lineno, exc.offset
    else:
        message = str(exc)
        place = _last_user_frame(exc)
        file, line = place if place else (None, None)
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + "..."
    return Problem(
        heading=heading,
        title=title,
        message=message,
        file=os.path.abspath(file) if file and not file.startswith("<") else None,
        line=line,
        column=column,
        code=excerpt(file, line) if file else (),
        detail=short_traceback(exc),
        source=PYTHON,
    )
