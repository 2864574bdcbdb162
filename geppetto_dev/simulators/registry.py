"""Simulators by `simulatorId`, the id a Geppetto experiment's simulator configuration names.

A registry is a value the application owns (never a module-level instance filled by imports):
`default_simulators()` gives one with the simulators this package ships, and a developer adds
their own under an id. A `Simulator` is a small picklable object: the worker gets it together
with the job, so nothing but plain data crosses to a process pool or a Dask worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from geppetto_dev.simulators.job import SimulationError, SimulationJob

__all__ = ["Simulator", "SimulatorRegistry", "default_simulators"]


@runtime_checkable
class Simulator(Protocol):
    """A simulation engine Geppetto experiments can name."""

    @property
    def id(self) -> str:
        """The `simulatorId` experiments name it by (`neuronSimulator`)."""
        ...

    def available(self) -> str | None:
        """None when it can run here; else what to install (`pip install 'geppetto-dev[neuron]'`).

        Called in the server process: it must be cheap (look for a module, not import it).
        """
        ...

    def run(self, job: SimulationJob) -> Mapping[str, Any]:
        """{Geppetto path: TimeSeries} plus `time`; runs in a worker process."""
        ...


class SimulatorRegistry:
    """Simulators by id; `get` explains an unknown or uninstalled one."""

    def __init__(self, simulators: Iterable[Simulator] = ()) -> None:
        self._simulators: dict[str, Simulator] = {}
        for simulator in simulators:
            self.add(simulator)

    def add(self, simulator: Simulator, *, replace: bool = False) -> Simulator:
        if not isinstance(simulator, Simulator):
            raise SimulationError(
                f"{simulator!r} is not a simulator",
                "give it an `id`, `available()` and `run(job)`",
            )
        if simulator.id in self._simulators and not replace:
            raise SimulationError(
                f"a simulator with id {simulator.id!r} is already registered",
                "choose another id, or pass replace=True",
            )
        self._simulators[simulator.id] = simulator
        return simulator

    def get(self, simulator_id: str) -> Simulator:
        """The simulator, ready to run here, or an error saying what to install or choose."""
        simulator = self._simulators.get(simulator_id)
        if simulator is None:
            known = ", ".join(sorted(self._simulators)) or "none"
            raise SimulationError(
                f"no simulator with id {simulator_id!r} (known: {known})",
                "set the experiment's simulatorId to one of them, or register yours",
            )
        missing = simulator.available()
        if missing is not None:
            raise SimulationError(f"the simulator {simulator_id!r} is not installed", missing)
        return simulator

    def simulator(self, simulator_id: str) -> Simulator:
        """The simulator registered under `simulator_id`, installed or not (KeyError)."""
        return self._simulators[simulator_id]

    def __contains__(self, simulator_id: object) -> bool:
        return simulator_id in self._simulators

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._simulators))

    def __len__(self) -> int:
        return len(self._simulators)


def default_simulators() -> SimulatorRegistry:
    """A new registry with the simulators geppetto-dev ships (whether installed or not)."""
    from geppetto_dev.simulators.jneuroml import JNeuroMLSimulator
    from geppetto_dev.simulators.neuron import NeuronSimulator

    # Java projects name jLEMS, which jNeuroML runs (its own engine).
    return SimulatorRegistry(
        [NeuronSimulator(), JNeuroMLSimulator(), JNeuroMLSimulator(id="jLemsSimulator")]
    )
