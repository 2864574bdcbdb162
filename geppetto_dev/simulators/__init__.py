"""Simulators chosen by `simulatorId`: the registry, the job a run is given, a fresh process
per run, NEURON (extra `neuron`), jNeuroML, and the results formats users download.

A simulator of your own reports how far a run has got with `report_progress(done, total)`
(simulated seconds), which the server shows in its log and to the clients that can show it.
"""

from geppetto_dev.executors.control import report_progress
from geppetto_dev.simulators.hook import SimulatorHook
from geppetto_dev.simulators.isolation import RunStopped, call_isolated, run_here, run_isolated
from geppetto_dev.simulators.job import SimulationError, SimulationJob
from geppetto_dev.simulators.registry import Simulator, SimulatorRegistry, default_simulators

__all__ = [
    "RunStopped",
    "SimulationError",
    "SimulationJob",
    "Simulator",
    "SimulatorHook",
    "SimulatorRegistry",
    "call_isolated",
    "default_simulators",
    "report_progress",
    "run_here",
    "run_isolated",
]
