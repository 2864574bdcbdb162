from __future__ import annotations

import pytest

from geppetto_dev.simulators import (
    SimulationError,
    SimulationJob,
    SimulatorRegistry,
    default_simulators,
)
from tests.simulators.simulators import Counting, Missing


def test_an_unknown_simulator_names_the_known_ones() -> None:
    registry = SimulatorRegistry([Counting()])
    with pytest.raises(SimulationError) as info:
        registry.get("neuronSimulatr")
    assert "no simulator with id 'neuronSimulatr' (known: counting)" in str(info.value)


def test_an_uninstalled_simulator_says_what_to_install() -> None:
    registry = SimulatorRegistry([Missing()])
    with pytest.raises(SimulationError) as info:
        registry.get("missing")
    assert info.value.hint == "pip install missing-simulator"
    assert "is not installed" in info.value.message


def test_registries_are_values_and_ids_are_unique() -> None:
    one, two = SimulatorRegistry(), SimulatorRegistry()
    one.add(Counting())
    assert "counting" in one and "counting" not in two
    with pytest.raises(SimulationError, match="already registered"):
        one.add(Counting())
    one.add(Counting(), replace=True)
    assert list(one) == ["counting"] and len(one) == 1
    with pytest.raises(SimulationError, match="is not a simulator"):
        one.add(object())  # type: ignore[arg-type]


def test_the_default_registry_holds_the_java_ids() -> None:
    registry = default_simulators()
    assert {"neuronSimulator", "jneuromlSimulator"} <= set(registry)
    assert registry is not default_simulators()  # a new value each time


def test_a_job_refuses_a_nonpositive_step() -> None:
    with pytest.raises(SimulationError, match="time step must be positive"):
        SimulationJob("model.nml", timestep=0.0)
    with pytest.raises(SimulationError, match="length must be positive"):
        SimulationJob("model.nml", length=-1.0)
