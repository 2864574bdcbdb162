"""Small real simulators for the registry and isolation tests (module level: they pickle)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geppetto_dev.model import TimeSeries
from geppetto_dev.simulators import SimulationError, SimulationJob

__all__ = ["Counting", "Crashing", "Failing", "Missing"]

ISOLATION = "geppetto_dev.simulators.isolation"
RUNS: list[int] = []  # grows in whichever process runs a job


@dataclass(frozen=True)
class Counting:
    """Reports its process and how many runs that process has done (global state)."""

    id: str = "counting"

    def available(self) -> str | None:
        return None

    def run(self, job: SimulationJob) -> Mapping[str, Any]:
        main = sys.modules["__main__"]
        RUNS.append(1)
        time.sleep(job.parameters.get("sleep", 0.0))
        print("a simulator's chatter on stdout")  # must not corrupt the results
        steps = round((job.length or 0.001) / (job.timestep or 0.0001))
        return {
            "time": TimeSeries([i * (job.timestep or 0.0001) for i in range(steps + 1)], "s"),
            "pid": [float(os.getpid())],
            "runs": [float(len(RUNS))],
            # 1.0 in a new interpreter, 0.0 in a child forked from its caller.
            "spawned": [float(getattr(main.__spec__, "name", "") == ISOLATION)],
        }


@dataclass(frozen=True)
class Failing:
    id: str = "failing"

    def available(self) -> str | None:
        return None

    def run(self, job: SimulationJob) -> Mapping[str, Any]:
        if job.parameters.get("bug"):
            raise ZeroDivisionError("division by zero")
        raise SimulationError(f"cannot run {job.model}", "give it a model it knows")


@dataclass(frozen=True)
class Crashing:
    id: str = "crashing"

    def available(self) -> str | None:
        return None

    def run(self, job: SimulationJob) -> Mapping[str, Any]:
        os.kill(os.getpid(), signal.SIGKILL)
        return {}


@dataclass(frozen=True)
class Missing:
    id: str = "missing"

    def available(self) -> str | None:
        return "pip install missing-simulator"

    def run(self, job: SimulationJob) -> Mapping[str, Any]:
        raise AssertionError("never run")
