"""One line on the terminal while experiments run: how many are queued, running and done, and
how far the running ones have got (simulated time of their length, as they report it).

On a terminal the line is redrawn in place; elsewhere (logs, CI) a line is printed when the
counts change, at most twice a second, and always for the last state. Nothing is printed
while no experiment is in flight, so an idle server stays quiet.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import Future
from typing import Any, Protocol, TextIO

__all__ = ["Progress"]

_INTERVAL_S = 0.5
# How many running runs the line details; beyond, it gives their mean.
_DETAILED = 3
# In a log, a line that only tells progress is written at most this often.
_LOG_PROGRESS_S = 5.0


class Reporting(Protocol):
    """What a run reports through (a RunControl): simulated seconds done, of its length."""

    def progress(self) -> tuple[float, float] | None: ...


class Progress:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._futures: set[Future[Any]] = set()
        self._reports: dict[Future[Any], Reporting] = {}
        self._done = 0
        self._failed = 0
        self._stopped = 0
        self._last = ""
        self._thread: threading.Thread | None = None

    @property
    def stream(self) -> TextIO:
        return self._stream or sys.stderr

    def track(self, future: Future[Any]) -> None:
        with self._lock:
            self._futures.add(future)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="progress", daemon=True)
                self._thread.start()
        future.add_done_callback(self._finished)

    def follow(self, future: Future[Any], reporting: Reporting) -> None:
        """Show how far the run of `future` has got while it runs."""
        with self._lock:
            if future in self._futures:
                self._reports[future] = reporting

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._reports.pop(future, None)
            if future not in self._futures:
                return
            self._futures.discard(future)
            self._done += 1
            if future.cancelled():
                self._stopped += 1
            elif future.exception() is not None:
                self._failed += 1

    def counts(self) -> tuple[int, int, int, int]:
        """(queued, running, done, failed) of the runs tracked since the server started."""
        with self._lock:
            running = sum(1 for f in self._futures if f.running())
            return len(self._futures) - running, running, self._done, self._failed

    def line(self, progress: str | None = None) -> str:
        queued, running, done, failed = self.counts()
        how_far = self._how_far() if progress is None else progress
        text = f"experiments: {queued} queued, {running} running{how_far}, {done} done"
        notes = [f"{failed} failed"] if failed else []
        notes += [f"{self._stopped} stopped"] if self._stopped else []
        return text + (f" ({', '.join(notes)})" if notes else "")

    def _how_far(self) -> str:
        """` (120 of 300 ms)` for a run, `(40%, 75%)` for a few, the mean for many."""
        with self._lock:
            reporting = [r for f, r in self._reports.items() if f.running()]
        reports = [p for p in (r.progress() for r in reporting) if p is not None and p[1] > 0]
        if not reports:
            return ""
        if len(reports) == 1:
            done, total = reports[0]
            return f" ({_ms(done)} of {_ms(total)} ms simulated)"
        shares = [min(1.0, d / t) for d, t in reports]
        if len(shares) <= _DETAILED:
            return " (" + ", ".join(f"{s:.0%}" for s in shares) + ")"
        return f" ({sum(shares) / len(shares):.0%} on average)"

    def _run(self) -> None:
        last_shape: tuple[object, ...] = ()
        written = 0.0
        while True:
            time.sleep(_INTERVAL_S)
            progress = self._how_far()
            line = self.line(progress)
            # What changes the line's shape: the counts, or progress appearing or going.
            shape = (*self.counts(), bool(progress))
            with self._lock:
                idle = not self._futures
                changed = line != self._last
                if idle:
                    self._thread = None
            # In a log (not a terminal), progress alone is written every few seconds.
            if changed and (
                shape != last_shape
                or idle
                or time.monotonic() - written >= _LOG_PROGRESS_S
                or self._is_terminal()
            ):
                self._last, last_shape, written = line, shape, time.monotonic()
                self._write(line, final=idle)
            if idle:
                return

    def _is_terminal(self) -> bool:
        try:
            return self.stream.isatty()
        except (OSError, ValueError):
            return False

    def _write(self, line: str, *, final: bool) -> None:
        stream = self.stream
        try:
            if stream.isatty():
                stream.write("\r\x1b[2K" + line + ("\n" if final else ""))
            else:
                stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):  # a closed terminal never stops a run
            pass


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.0f}" if seconds >= 0.01 else f"{seconds * 1e3:.2g}"
