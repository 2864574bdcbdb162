"""NEURON (`pip install 'geppetto-dev[neuron]'`) running NeuroML and LEMS models.

Channels of NeuroML's standard HH forms are defined at run time with NEURON's kinetic-scheme
channel builder (no .mod file, no compiler, no Java); cells become sections with their 3-D
points; networks, inputs and exponential synapses map to NEURON's built-in mechanisms.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geppetto_dev.simulators.job import SimulationJob

__all__ = ["INSTALL", "NeuronSimulator", "run"]

INSTALL = "pip install 'geppetto-dev[neuron]'"


@dataclass(frozen=True)
class NeuronSimulator:
    """The Java server's `neuronSimulator`."""

    id: str = "neuronSimulator"
    # Imported once by a worker that forks a child per run (see simulators.isolation).
    preload: tuple[str, ...] = ("neuron", "geppetto_dev.simulators.neuron.model")

    def available(self) -> str | None:
        return None if importlib.util.find_spec("neuron") is not None else INSTALL

    def run(self, job: SimulationJob) -> Mapping[str, Any]:
        from geppetto_dev.simulators.neuron.model import run_job

        return run_job(job)


def run(
    model: str | os.PathLike[str],
    request: Any,
    *,
    root: str | os.PathLike[str] | None = None,
    target: str = "",
    timeout: float | None = None,
) -> dict[str, Any]:
    """A project's run hook in one line: `neuron.run(MODEL_FILE, run_request)`.

    `request` is the hook's RunRequest (its watched paths, time step, length and parameters);
    the model is a NeuroML or LEMS file, read with includes from `root` (its folder by
    default). The run happens in a fresh process; the results are {path: TimeSeries} in SI.
    """
    from geppetto_dev.simulators.hook import SimulatorHook

    simulator = NeuronSimulator()
    missing = simulator.available()
    if missing is not None:
        from geppetto_dev.simulators.job import SimulationError

        raise SimulationError("NEURON is not installed", missing)
    hook = SimulatorHook(simulator, os.fspath(model), os.fspath(root or ""), target, timeout)
    return hook(request)
