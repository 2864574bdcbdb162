"""How each build of the frontend's watcher ended, and its errors as Problems for the overlay.

webpack prints an `ERROR in <module>` block per error after every build in watch mode (webpack 3
of Geppetto 0.3.8 and webpack 5 of geppetto-meta alike); babel's message in it names the line
and column (`(12:4)`), webpack 5's header sometimes does (`ERROR in ./src/a.js 3:0-24`).

Whether a build emitted its files differs (webpack 3 and webpack 5 in development mode emit a
bundle that throws; production mode emits nothing), so the outcome is read from both signals:
the build folder settling (BuildMonitor) after output with errors is a failed build; errors
followed by quiet and no new files is one too; the build folder settling after output with no
error is a good build.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from geppetto_dev.problems import BUILD, Problem, excerpt

__all__ = ["BUILD_FAILED", "BuildOutcomes", "webpack_problems"]

BUILD_FAILED = "The frontend build failed"
# Blocks turned into problems, and lines of each kept as its detail.
MAX_PROBLEMS = 5
DETAIL_LINES = 30
# Lines of output kept for the build in progress (a build prints a few dozen).
KEPT_LINES = 2000

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_HEADER = re.compile(r"^ERROR in (?P<module>\S+)(?: (?P<line>\d+):(?P<column>\d+)(?:-\d+)?)?")
_BLOCK_END = re.compile(r"^(?:ERROR in |WARNING in |webpack\b|Hash: |Child |Version: webpack)")
_STACK = re.compile(r"^\s+at ")
_LOCATION = re.compile(r"\((?P<line>\d+):(?P<column>\d+)\)")
_BUILD_FAILED = re.compile(r"^Module build failed(?: \(from [^)]*\))?:\s*")
_ERROR_TEXT = re.compile(r"^(?P<title>[A-Z]\w*(?:Error|Exception)):\s*(?P<message>.*)$")


def _module_file(module: str, webapp: Path) -> str | None:
    """The file of a webpack module name (`./src/a.js`, `./node_modules/x!./src/a.css`)."""
    name = module.rsplit("!", 1)[-1].split("?", 1)[0]
    if not name.startswith(("./", "../", "/")):
        return None
    path = (webapp / name).resolve()
    return str(path) if path.is_file() else None


def _title_and_message(lines: Sequence[str]) -> tuple[str, str]:
    text = next((line.strip() for line in lines if line.strip()), "")
    if _BUILD_FAILED.match(text):
        rest = _BUILD_FAILED.sub("", text)
        if not rest:  # webpack 5 puts the loader's error on the next line
            later = [line.strip() for line in lines if line.strip()][1:2]
            rest = later[0] if later else ""
        text = rest
    for prefix in ("Module not found", "Module parse failed"):
        if text.startswith(prefix + ":"):
            message = text[len(prefix) + 1 :].strip().removeprefix("Error: ")
            return prefix, message
    match = _ERROR_TEXT.match(text)
    if match is None:
        return "Error", text
    message = match.group("message")
    # babel repeats the file: "SyntaxError: /abs/src/App.js: Unexpected token (4:0)".
    if message.startswith("/") and ": " in message:
        message = message.split(": ", 1)[1]
    return match.group("title"), message


def webpack_problems(lines: Sequence[str], webapp: Path) -> tuple[Problem, ...]:
    """The `ERROR in` blocks of one build's output, as Problems (files relative to `webapp`)."""
    problems: list[Problem] = []
    count = 0
    for i, raw in enumerate(lines):
        header = _HEADER.match(raw)
        if header is None:
            continue
        count += 1
        if count > MAX_PROBLEMS:
            continue
        body: list[str] = []
        for line in lines[i + 1 :]:
            if _BLOCK_END.match(line):
                break
            if not _STACK.match(line):
                body.append(line)
        while body and not body[-1].strip():
            body.pop()
        title, message = _title_and_message(body)
        place = _LOCATION.search(" ".join(body[:3]))
        line_no: int | None = None
        column: int | None = None
        if place is not None:  # babel's column is zero-based, the overlay's (like Python's) not
            line_no, column = int(place.group("line")), int(place.group("column")) + 1
            message = message.replace(f" {place.group(0)}", "")  # shown as the place
        elif header.group("line"):
            line_no, column = int(header.group("line")), int(header.group("column")) + 1
        file = _module_file(header.group("module"), webapp)
        detail = "\n".join([raw, *body[:DETAIL_LINES]])
        problems.append(
            Problem(
                heading=BUILD_FAILED,
                title=title,
                message=message,
                file=file or header.group("module"),
                line=line_no,
                column=column,
                code=excerpt(file, line_no) if file else (),
                detail=detail,
                source=BUILD,
            )
        )
    if count > MAX_PROBLEMS:
        last = problems[-1]
        more = f"\n... and {count - MAX_PROBLEMS} more errors: see the terminal"
        problems[-1] = dataclasses.replace(last, detail=last.detail + more)
    return tuple(problems)


class BuildOutcomes:
    """Calls `on_built()` or `on_failed(problems)` once per build of the frontend's watcher.

    `feed` gets every output line of the watcher (from the runner's reader thread); `built` is
    BuildMonitor's callback (its build folder changed, then settled). Errors with no new files
    for `settle` seconds are a failed build that emitted nothing.
    """

    def __init__(
        self,
        webapp: Path,
        on_built: Callable[[], None],
        on_failed: Callable[[tuple[Problem, ...]], None],
        *,
        settle: float = 1.0,
    ) -> None:
        self.webapp = webapp
        self.on_built = on_built
        self.on_failed = on_failed
        self.settle = settle
        self._lock = threading.Lock()
        self._lines: list[str] = []
        self._errors = False
        self._failed = False  # the last outcome, until output says another build ran
        self._timer: threading.Timer | None = None

    def feed(self, line: str) -> None:
        line = _ANSI.sub("", line)
        with self._lock:
            self._lines.append(line)
            del self._lines[:-KEPT_LINES]
            if line.startswith("ERROR in "):
                self._errors = True
            if self._errors:
                self._restart_timer()

    def built(self) -> None:
        """The build folder settled: the build that wrote it succeeded unless it printed errors."""
        with self._lock:
            was_failed = self._failed
            output, problems = self._take()
        if problems:
            self.on_failed(problems)
        elif output or not was_failed:
            self.on_built()
        # else: the files of a failed build settled after its errors were reported; no news.

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self.settle, self._settled)
        self._timer.daemon = True
        self._timer.start()

    def _settled(self) -> None:
        with self._lock:
            if not self._errors:
                return  # taken by built() meanwhile
            _output, problems = self._take()
        if problems:
            self.on_failed(problems)

    def _take(self) -> tuple[bool, tuple[Problem, ...]]:
        """This build's output (was there any) and its problems; starts the next build's."""
        lines, self._lines = self._lines, []
        problems = webpack_problems(lines, self.webapp) if self._errors else ()
        self._errors = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if lines:
            self._failed = bool(problems)
        return bool(lines), problems
