"""Simulators chosen by `simulatorId`: the registry, the job a run is given, a fresh process
per run, NEURON (extra `neuron`), jNeuroML, and the results formats users download."""

from geppetto_dev.simulators.hook import SimulatorHook
from geppetto_dev.simulators.isolation import run_here, run_isolated
from geppetto_dev.simulators.job import SimulationError, SimulationJob
from geppetto_dev.simulators.registry import Simulator, SimulatorRegistry, default_simulators

__all__ = [
    "SimulationError",
    "SimulationJob",
    "Simulator",
    "SimulatorHook",
    "SimulatorRegistry",
    "default_simulators",
    "run_here",
    "run_isolated",
]
