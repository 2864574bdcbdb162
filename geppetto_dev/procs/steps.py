"""Long-running steps (git clone, npm install, builds) with a live status line and a full log.

On a terminal the user sees one line that keeps changing: the step, the elapsed time and the last
line the tool printed. Elsewhere (CI logs, pipes) each step prints a start and an end line, since
rewriting a line only makes noise there. The tool's whole output always goes to a log file, and a
failure prints its tail and the log's path, so nobody has to rerun a five-minute npm install with
more verbosity to see what went wrong.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.procs.groups import popen_exited, stop_group
from geppetto_dev.procs.guard import guarded

__all__ = ["Console", "run_step"]

# Terminal control sequences in tool output (colours, cursor moves) would garble the status line.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TAIL_LINES = 25


class Console:
    """Where init prints: permanent lines, plus one rewritable status line on a terminal."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        if live is None:
            live = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.live = live
        self._status_shown = False
        self._lock = threading.Lock()

    def line(self, text: str = "") -> None:
        with self._lock:
            self._clear()
            self.stream.write(text + "\n")
            self.stream.flush()

    def status(self, text: str) -> None:
        """Show `text` in place of the previous status; does nothing off a terminal."""
        if not self.live:
            return
        width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
        with self._lock:
            self.stream.write("\r\x1b[K" + text[:width])
            self.stream.flush()
            self._status_shown = True

    def clear_status(self) -> None:
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        if self._status_shown:
            self.stream.write("\r\x1b[K")
            self._status_shown = False


class _Output:
    """Reads a child's merged output: copies it to the log, keeps the tail and the last line."""

    def __init__(self, pipe: int, log: TextIO) -> None:
        self.pipe = pipe
        self.log = log
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self.last = ""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        pending = ""
        while True:
            chunk = os.read(self.pipe, 65536)
            if not chunk:
                break
            text = chunk.decode("utf-8", "replace")
            self.log.write(text)
            self.log.flush()
            pending += text
            # Progress bars rewrite a line with \r; each rewrite is a fresh "last line".
            *complete, pending = re.split(r"\r\n|\n|\r", pending)
            for piece in complete:
                self._take(piece)
            if pending.strip():
                self.last = _clean(pending)
        if pending:
            self._take(pending)

    def _take(self, piece: str) -> None:
        cleaned = _clean(piece)
        if cleaned:
            self.tail.append(cleaned)
            self.last = cleaned


def _clean(text: str) -> str:
    return _ANSI.sub("", text).strip()


def run_step(
    console: Console,
    title: str,
    argv: Sequence[str],
    *,
    cwd: Path,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    hint: str = "",
    diagnose: Callable[[str], str | None] | None = None,
    excerpt: Callable[[str], list[str]] | None = None,
) -> None:
    """Run `argv`, showing progress; raise GeppettoDevError (after printing the tail) on failure.

    `diagnose` gets the whole log of a failed run and may return a more precise hint, for
    failures whose cause is known but buried far above the tail. `excerpt` may pick the lines
    shown instead of the tail (webpack's `ERROR in` blocks sit above a long summary).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    if not console.live:
        console.line(f"-> {title}")
    with log_path.open("w", encoding="utf-8") as log:
        log.write(f"$ {' '.join(argv)}\n# in {cwd}\n")
        log.flush()
        read_end, write_end = os.pipe()
        try:
            # Own process group, led by the group guard: on Ctrl-C, an error or even a killed
            # init, the whole tool tree is stopped, not just its first process.
            proc = subprocess.Popen(
                guarded(argv),
                cwd=cwd,
                env=None if env is None else dict(env),
                stdin=subprocess.DEVNULL,
                stdout=write_end,
                stderr=write_end,
                start_new_session=True,
            )
        except OSError as exc:
            os.close(read_end)
            os.close(write_end)
            raise GeppettoDevError(f"{title}: cannot run {argv[0]}: {exc}", hint) from None
        os.close(write_end)
        output = _Output(read_end, log)
        try:
            while proc.poll() is None:
                elapsed = time.monotonic() - start
                console.status(f"{title} [{elapsed:4.0f}s] {output.last}")
                time.sleep(0.2)
        except BaseException:
            stop_group(proc.pid, popen_exited(proc), grace=5.0, kill_wait=5.0)
            console.clear_status()
            raise
        finally:
            output.thread.join(timeout=5)
            # A leftover grandchild may still hold the pipe; then leave the fd to the thread.
            if not output.thread.is_alive():
                os.close(read_end)
    elapsed = time.monotonic() - start
    console.clear_status()
    if proc.returncode == 0:
        console.line(f"ok {title} ({elapsed:.1f}s)")
        return
    text = log_path.read_text(encoding="utf-8", errors="replace")
    picked = excerpt(text) if excerpt is not None else []
    shown = "the errors" if picked else "last lines"
    console.line(f"FAILED {title} (exit code {proc.returncode}, {elapsed:.1f}s); {shown}:")
    for line in picked or output.tail:
        console.line(f"    {line}")
    console.line(f"full log: {log_path}")
    if diagnose is not None:
        hint = diagnose(text) or hint
    raise GeppettoDevError(
        f"{title} failed with exit code {proc.returncode} (full log: {log_path})",
        hint or "see the lines above and the log",
    )
