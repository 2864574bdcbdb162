"""The signals that mean "stop everything", for the processes that supervise others.

SIGINT, SIGTERM and SIGHUP all stop a session. SIGINT is handled even when the process started
with it ignored: a shell starts background jobs that way, and `kill -INT` must stop a
backgrounded session as Ctrl-C stops a foreground one. (The group guard does the same with the
standard library only; see guard.py.)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["STOP_SIGNALS", "on_stop_signals"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def on_stop_signals(stop: Callable[[], None]) -> Callable[[], None]:
    """Call `stop()` on each stop signal; returns a function that restores the old handlers.

    `stop` runs in the main thread, in the signal handler: it may post to a queue or raise to
    unwind the main thread. Signal handlers belong to the main thread; called from another
    thread (a test running a supervisor) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        stop()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore
