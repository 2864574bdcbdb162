"""Jobs the executors run in other processes (importable there: module-level functions)."""

from __future__ import annotations

import os
import time


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def crash() -> None:
    os._exit(3)  # a simulator that dies without a Python exception


def fail(message: str) -> None:
    raise ValueError(message)


def simulate(request: object) -> dict[str, list[float]]:
    """A run hook: a short trace per watched path, and the pid that computed it."""
    watched = getattr(request, "watched", ())
    return {path: [float(i) for i in range(5)] for path in watched} | {"pid": [float(os.getpid())]}


def niceness() -> int:
    return os.nice(0)


def scheduling_policy() -> int:
    return os.sched_getscheduler(0)
