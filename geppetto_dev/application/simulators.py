"""The simulators of an application: the ones geppetto-dev ships (NEURON, jNeuroML), then those
of every `SimulatorRegistry` defined at the top of the project's modules.

A project adds a simulator of its own under an id its experiments name:

    simulators = SimulatorRegistry([MySimulator()])   # in any module of its projects package

or, making the application in code, `app.simulators.add(MySimulator())` before it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from geppetto_dev.simulators.registry import SimulatorRegistry, default_simulators

__all__ = ["app_simulators"]


def app_simulators(modules: Iterable[ModuleType] = ()) -> SimulatorRegistry:
    """The built-in simulators, then the project's (one of its own may take a built-in id)."""
    registry = default_simulators()
    for module in modules:
        for value in list(vars(module).values()):
            if isinstance(value, SimulatorRegistry) and value is not registry:
                for simulator_id in value:
                    registry.add(value.simulator(simulator_id), replace=True)
    return registry
