"""The reload supervisor's events, posted from any thread, read in order by its one loop;
and the timers that post some of them later."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from geppetto_dev.reload.messages import Changes, Event

__all__ = ["Inbox", "Timers"]


class Inbox:
    """The supervisor's events, posted from any thread, read in order by its loop.

    Saves that queued up while a reload ran come out as one Changes: one reload, not several.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def __iter__(self) -> Iterator[Event]:
        pending: Event | None = None
        while True:
            if pending is not None:
                event, pending = pending, None
            else:
                try:
                    # A timeout, so that signal handlers get to run on a quiet main thread.
                    event = self._queue.get(timeout=0.5)
                except queue.Empty:
                    continue
            if isinstance(event, Changes):
                paths = set(event.paths)
                while pending is None:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if isinstance(more, Changes):
                        paths |= more.paths
                    else:
                        pending = more
                event = Changes(frozenset(paths))
            yield event


class Timers:
    """Post an event after a delay (a retry of a server that died at startup); cancel them all
    when the session ends."""

    def __init__(self, post: Callable[[Event], None]) -> None:
        self.post = post
        self._timers: list[threading.Timer] = []

    def later(self, delay: float, event: Event) -> None:
        timer = threading.Timer(delay, self.post, args=(event,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def cancel_all(self) -> None:
        for timer in self._timers:
            timer.cancel()
