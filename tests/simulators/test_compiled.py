"""Channels KSChan cannot express, through jNeuroML's NEURON export and nrnivmodl: a gate rate
of a custom LEMS ComponentType, checked against jNeuroML's own engine."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from geppetto_dev.simulators import SimulationError, SimulationJob, default_simulators, run_isolated
from geppetto_dev.simulators.jneuroml import run_lems
from geppetto_dev.simulators.neuron.compiled import missing_tools
from tests.simulators.models import example_folder, spike_times
from tests.simulators.requirements import missing_module, need

need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))
NEURON = default_simulators().get("neuronSimulator")
PATH = "net1.hhpop[0].v"

# HHExpRate written again as a LEMS ComponentType: not a form KSChan knows by name.
CUSTOM_LEMS = """<Lems>
    <Target component="sim1"/>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Simulation.xml"/>
    <ComponentType name="myExpRate" extends="baseVoltageDepRate">
        <Parameter name="rate" dimension="per_time"/>
        <Parameter name="midpoint" dimension="voltage"/>
        <Parameter name="scale" dimension="voltage"/>
        <Dynamics>
            <DerivedVariable name="r" exposure="r" dimension="per_time"
                             value="rate * exp((v - midpoint)/scale)"/>
        </Dynamics>
    </ComponentType>
    <Include file="Custom.nml"/>
    <Simulation id="sim1" length="45ms" step="0.01ms" target="net1">
        <OutputFile id="of0" fileName="v.dat">
            <OutputColumn id="v" quantity="hhpop[0]/v"/>
        </OutputFile>
    </Simulation>
</Lems>
"""


@pytest.fixture
def custom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GEPPETTO_DEV_MECHANISMS", str(tmp_path / "cache"))
    folder = example_folder(tmp_path / "models")
    hh = (folder / "examples" / "NML2_SingleCompHHCell.nml").read_text()
    custom = hh.replace(
        '<forwardRate type="HHExpRate" rate="0.07per_ms"',
        '<forwardRate type="myExpRate" rate="0.07per_ms"',
    )
    assert custom != hh
    (folder / "examples" / "Custom.nml").write_text(custom)
    lems = folder / "examples" / "LEMS_Custom.xml"
    lems.write_text(CUSTOM_LEMS)
    return lems


def test_a_custom_rate_is_compiled_once_and_matches_jneuroml(custom: Path) -> None:
    need(missing_tools())
    job = SimulationJob(str(custom), str(custom.parent.parent), timestep=1e-6, length=0.045)
    ours = run_isolated(NEURON, job)
    reference = run_lems(custom, ["hhpop[0]/v"], step=1e-6, length=0.045)
    mine = spike_times(ours["time"].value, ours[PATH].value)
    theirs = spike_times(reference["time"], reference["hhpop[0]/v"])
    assert len(mine) == len(theirs) >= 3
    assert max(abs(a - b) for a, b in zip(mine, theirs, strict=True)) < 1e-4
    cache = Path(os.environ["GEPPETTO_DEV_MECHANISMS"])
    libraries = list(cache.glob("*/*/libnrnmech.so")) + list(cache.glob("*/*/.libs/libnrnmech.so"))
    assert len(libraries) == 1 and len(list((cache / "models").glob("*.json"))) == 1
    # Again: the cached library, no export, no compile (its folder is untouched).
    built = libraries[0].stat().st_mtime_ns
    again = run_isolated(NEURON, SimulationJob(str(custom), str(custom.parent.parent), length=0.01))
    assert len(again["time"].value) == 1001 and libraries[0].stat().st_mtime_ns == built


def test_without_java_or_a_compiler_the_channel_is_named(
    custom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no java, no cc
    assert shutil.which("java") is None
    with pytest.raises(SimulationError) as info:
        run_isolated(NEURON, SimulationJob(str(custom), str(custom.parent.parent), length=0.01))
    assert "ion channel 'naChan': gate 'h': the forwardRate of type 'myExpRate'" in str(info.value)
    assert "Java and a C compiler" in info.value.hint
