"""Model files for the simulator tests: NeuroML's own examples, read out of the jNeuroML jar
that pyNeuroML ships (a zip: no Java needed), made local and shortened, plus a small network."""

from __future__ import annotations

import zipfile
from pathlib import Path

__all__ = ["SMALL_NET", "example_folder", "spike_times"]


def _jar() -> Path:
    from geppetto_dev.simulators.jneuroml import find_jar
    from tests.simulators.requirements import missing_module, need

    jar = find_jar()
    if jar is None:
        need(missing_module("pyneuroml", "pip install pyneuroml: its jar ships the examples"))
    assert jar is not None
    return jar


def example_folder(tmp: Path, *, pulse_delay: str = "5ms") -> Path:
    """LEMSexamples/ and examples/ of the jar under `tmp`, with the pulses starting early so
    a short run holds several spikes."""
    with zipfile.ZipFile(_jar()) as jar:
        for name in jar.namelist():
            if name.startswith(("examples/", "LEMSexamples/")) and not name.endswith("/"):
                target = tmp / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    hh = tmp / "examples" / "NML2_SingleCompHHCell.nml"
    hh.write_text(hh.read_text().replace('delay="100ms"', f'delay="{pulse_delay}"'))
    ex1 = tmp / "LEMSexamples" / "LEMS_NML2_Ex1_HH.xml"
    ex1.write_text(ex1.read_text().replace('delay="50ms"', f'delay="{pulse_delay}"'))
    return tmp


# Three HH cells and a spike source: exponential one- and two-time-constant synapses, a
# weighted and delayed connection, spikeGenerator and spikeArray populations.
SMALL_NET = """<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="SmallNet">
    <include href="NML2_SingleCompHHCell.nml"/>
    <expOneSynapse id="synA" gbase="5nS" erev="0mV" tauDecay="3ms"/>
    <expTwoSynapse id="synB" gbase="4nS" erev="0mV" tauRise="0.5ms" tauDecay="4ms"/>
    <spikeGenerator id="clock" period="13ms"/>
    <spikeArray id="burst">
        <spike id="0" time="12ms"/>
        <spike id="1" time="21ms"/>
    </spikeArray>
    <network id="net2">
        <population id="pre" component="hhcell" size="1"/>
        <population id="post" component="hhcell" size="2"/>
        <population id="gen" component="clock" size="1"/>
        <population id="times" component="burst" size="1"/>
        <projection id="p1" presynapticPopulation="pre" postsynapticPopulation="post"
                    synapse="synA">
            <connection id="0" preCellId="../pre[0]" postCellId="../post[0]"/>
        </projection>
        <projection id="p2" presynapticPopulation="pre" postsynapticPopulation="post"
                    synapse="synB">
            <connectionWD id="0" preCellId="../pre[0]" postCellId="../post[1]" weight="1.5"
                          delay="2ms"/>
        </projection>
        <projection id="p3" presynapticPopulation="gen" postsynapticPopulation="post"
                    synapse="synA">
            <connection id="0" preCellId="../gen[0]" postCellId="../post[0]"/>
        </projection>
        <projection id="p4" presynapticPopulation="times" postsynapticPopulation="post"
                    synapse="synA">
            <connection id="0" preCellId="../times[0]" postCellId="../post[1]"/>
        </projection>
        <explicitInput target="pre[0]" input="pulseGen1"/>
    </network>
</neuroml>
"""

SMALL_NET_LEMS = """<Lems>
    <Target component="sim1"/>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Simulation.xml"/>
    <Include file="SmallNet.nml"/>
    <Simulation id="sim1" length="150ms" step="0.025ms" target="net2">
        <OutputFile id="of0" fileName="results/v.dat">
            <OutputColumn id="a" quantity="pre[0]/v"/>
            <OutputColumn id="b" quantity="post[0]/v"/>
            <OutputColumn id="c" quantity="post[1]/v"/>
        </OutputFile>
    </Simulation>
</Lems>
"""


def spike_times(time: list[float], v: list[float], threshold: float = 0.0) -> list[float]:
    """Upward crossings of `threshold`, interpolated between samples (seconds)."""
    out = []
    for i in range(1, len(v)):
        if v[i - 1] < threshold <= v[i]:
            frac = (threshold - v[i - 1]) / (v[i] - v[i - 1])
            out.append(time[i - 1] + frac * (time[i] - time[i - 1]))
    return out
