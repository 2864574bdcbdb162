"""One line on the terminal while experiments run: how many are queued, running and done.

On a terminal the line is redrawn in place; elsewhere (logs, CI) a line is printed when the
counts change, at most twice a second, and always for the last state. Nothing is printed
while no experiment is in flight, so an idle server stays quiet.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import Future
from typing import Any, TextIO

__all__ = ["Progress"]

_INTERVAL_S = 0.5


class Progress:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._futures: set[Future[Any]] = set()
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

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
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

    def line(self) -> str:
        queued, running, done, failed = self.counts()
        text = f"experiments: {queued} queued, {running} running, {done} done"
        notes = [f"{failed} failed"] if failed else []
        notes += [f"{self._stopped} stopped"] if self._stopped else []
        return text + (f" ({', '.join(notes)})" if notes else "")

    def _run(self) -> None:
        while True:
            time.sleep(_INTERVAL_S)
            line = self.line()
            with self._lock:
                idle = not self._futures
                changed = line != self._last
                self._last = line
                if idle:
                    self._thread = None
            if changed:
                self._write(line, final=idle)
            if idle:
                return

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
