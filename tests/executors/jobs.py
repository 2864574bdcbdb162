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
