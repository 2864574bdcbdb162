"""Model parameters (set_parameters) applied in NEURON runs, by the paths the client names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.simulators import SimulationError, SimulationJob, default_simulators, run_isolated
from tests.simulators.models import example_folder, spike_times
from tests.simulators.requirements import missing_module, need

need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))

V = "net1.hhpop[0].v"
MEMBRANE = "net1.hhpop[0].bioPhys1.membraneProperties"


def run(folder: Path, **parameters: float) -> list[float]:
    """Spike times of the HH cell over 60 ms with `parameters` (keys: paths with / for .)."""
    job = SimulationJob(
        str(folder / "examples" / "NML2_SingleCompHHCell.nml"),
        str(folder),
        watched=(V,),
        timestep=2.5e-5,
        length=0.06,
        parameters={k.replace("/", "."): v for k, v in parameters.items()},
    )
    results: dict[str, Any] = run_isolated(default_simulators().get("neuronSimulator"), job)
    return spike_times(results["time"].value, results[V].value)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_folder(tmp_path_factory.mktemp("hh"))


def test_a_parameter_changes_the_run_in_the_unit_the_model_shows(folder: Path) -> None:
    plain = run(folder)
    assert len(plain) >= 3
    # naChans is "120.0 mS_per_cm2" in the file: 0 silences the cell, 120 changes nothing.
    assert run(folder, **{f"{MEMBRANE}/naChans/condDensity": 0.0}) == []
    assert run(folder, **{f"{MEMBRANE}/naChans/condDensity": 120.0}) == plain
    # gDensity, as Java projects name it, is in SI: 1200 S_per_m2 is the same 120 mS_per_cm2.
    assert run(folder, **{f"{MEMBRANE}/naChans/gDensity": 1200.0}) == plain


def test_a_stronger_input_fires_sooner_and_more_often(folder: Path) -> None:
    plain = run(folder)
    stronger = run(folder, **{"net1/pulseGen1/amplitude": 0.2})  # nA, as the file writes it
    assert len(stronger) > len(plain) and stronger[0] < plain[0]


def test_a_parameter_naming_nothing_fails_the_run_naming_it(folder: Path) -> None:
    with pytest.raises(SimulationError) as info:
        run(folder, **{f"{MEMBRANE}/noSuchChans/condDensity": 1.0})
    assert "noSuchChans" in info.value.message and "no channel density" in info.value.message
