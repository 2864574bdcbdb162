"""NEURON (`pip install 'geppetto-dev[neuron]'`) running NeuroML and LEMS models.

Channels of NeuroML's standard HH forms are defined at run time with NEURON's kinetic-scheme
channel builder (no .mod file, no compiler, no Java); cells become sections with their 3-D
points; networks, inputs and exponential synapses map to NEURON's built-in mechanisms.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geppetto_dev.simulators.job import SimulationJob

__all__ = ["INSTALL", "NeuronSimulator"]

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
