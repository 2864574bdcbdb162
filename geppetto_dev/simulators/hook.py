"""A project run hook made of a registered simulator and a model file.

The experiment runner submits `hook(request)` to its executor; `SimulatorHook` is that hook for
an experiment whose `simulatorId` names a simulator: picklable (a frozen dataclass of plain
data and a module-level simulator), it turns the run request into a `SimulationJob` in the
worker and runs it in a fresh process there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from geppetto_dev.executors.control import RunControl
from geppetto_dev.simulators.isolation import run_isolated
from geppetto_dev.simulators.job import SimulationJob
from geppetto_dev.simulators.registry import Simulator

__all__ = ["SimulatorHook"]


@dataclass(frozen=True)
class SimulatorHook:
    """`(RunRequest) -> {path: TimeSeries}` for `simulator` on the model file `model`."""

    simulator: Simulator
    model: str
    root: str = ""
    target: str = ""
    timeout: float | None = None
    # Set by the experiment runner for each run: how the server stops it and reads progress.
    control: RunControl | None = None

    def controlled(self, control: RunControl | None) -> SimulatorHook:
        """This hook for one run under `control` (the runner calls it: the child it forks is
        the process a stop must kill)."""
        return replace(self, control=control)

    def job(self, request: Any) -> SimulationJob:
        """The job of a run request (anything with watched, timestep, length, parameters)."""
        return SimulationJob(
            self.model,
            self.root,
            self.target,
            tuple(request.watched),
            request.timestep,
            request.length,
            dict(request.parameters),
        )

    def __call__(self, request: Any) -> dict[str, Any]:
        return run_isolated(
            self.simulator, self.job(request), timeout=self.timeout, control=self.control
        )
