"""A NeuroML network in NEURON: populations of cells, inputs, synaptic connections.

Synapses map to NEURON's built-in point processes: expOneSynapse -> ExpSyn, expTwoSynapse
-> Exp2Syn (both peak-normalised like NeuroML's), with a NetCon from the presynaptic
segment's potential at the presynaptic cell's spike threshold. Inputs: pulseGenerator ->
IClamp; spike sources (spikeGenerator, spikeGeneratorPoisson, spikeArray) as cells of a
population drive their projections through NetStims or queued events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from geppetto_dev.interpreters.neuroml import units
from geppetto_dev.interpreters.neuroml.document import (
    Cell,
    Component,
    Network,
    NeuroMLDocument,
)
from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.simulators.neuron.cells import BuiltCell, build_cell
from geppetto_dev.simulators.neuron.mechanisms import Mechanism, insert_density

__all__ = ["BuiltNetwork", "build_network"]

_SPIKE_SOURCES = {"spikeGenerator", "spikeGeneratorPoisson", "spikeArray"}


@dataclass
class SpikeSource:
    """A cell that only emits spikes: a NetStim, or times to queue at initialisation."""

    stim: Any = None
    times: list[float] = field(default_factory=list)


@dataclass
class BuiltNetwork:
    cells: dict[str, dict[int, BuiltCell]] = field(default_factory=dict)
    sources: dict[str, dict[int, SpikeSource]] = field(default_factory=dict)
    keep: list[Any] = field(default_factory=list)  # NEURON objects that must stay alive
    # NetCons fed by a spikeArray, and the times (ms) to queue on them at initialisation.
    events: list[tuple[Any, list[float]]] = field(default_factory=list)

    def cell(self, population: str, index: int) -> BuiltCell:
        try:
            return self.cells[population][index]
        except KeyError:
            raise SimulationError(
                f"no cell {population}[{index}] with a membrane in the network",
                "name a population of cells and an index below its size",
            ) from None


def _point_cell(
    h: Any,
    document: NeuroMLDocument,
    component: Component,
    label: str,
    mechanisms: dict[str, Mechanism],
) -> BuiltCell:
    """pointCellCondBased: one compartment of area C / (1 uF/cm2), its channel populations
    (number x the channel's conductance) turned into densities over that area."""
    capacitance = component.si("C")  # F
    area_cm2 = capacitance / 1e-6  # at 1 uF/cm2
    diameter = (area_cm2 / math.pi) ** 0.5 * 1e4  # um, a cylinder as long as it is wide
    sec = h.Section(name=label)
    sec.L = sec.diam = diameter
    sec.cm = 1.0
    built = BuiltCell(component.id or label, {0: sec})
    built.v0 = {0: component.si("v0") * 1e3}
    built.threshold = {0: component.si("thresh") * 1e3}
    for pop in component.children:
        if pop.type != "channelPopulation":
            continue
        channel = document.ion_channels.get(pop.get("ionChannel") or "")
        mechanism = mechanisms.get(pop.get("ionChannel") or "")
        if channel is None or mechanism is None:
            raise SimulationError(
                f"cell {component.id!r}: channel population {pop.id!r} names an undefined "
                f"ion channel {pop.get('ionChannel')!r}",
                "include the file that defines it",
            )
        single = units.si(channel.conductance or "0S", "conductance")
        total = float(pop.get("number") or 0) * single  # S
        insert_density(sec, mechanism, total / area_cm2, pop.si("erev") * 1e3)
        built.densities[pop.id or ""] = (mechanism, [0])
    return built


def _spike_source(h: Any, component: Component, keep: list[Any]) -> SpikeSource:
    if component.type == "spikeArray":
        times = sorted(units.si(s.get("time") or "0s", "time") * 1e3 for s in component.children)
        return SpikeSource(times=times)
    stim = h.NetStim()
    if component.type == "spikeGenerator":
        stim.interval = component.si("period") * 1e3
        stim.noise = 0
        stim.start = stim.interval
    else:  # spikeGeneratorPoisson: averageRate
        stim.interval = 1e3 / component.si("averageRate")
        stim.noise = 1
        stim.start = 0
    stim.number = 1e9
    keep.append(stim)
    return SpikeSource(stim=stim)


def build_network(
    h: Any, document: NeuroMLDocument, network: Network, mechanisms: dict[str, Mechanism]
) -> BuiltNetwork:
    built = BuiltNetwork()
    for population in network.populations:
        component = document.cell_like(population.component) or document.inputs.get(
            population.component
        )
        if component is None:
            raise SimulationError(
                f"population {population.id!r} names {population.component!r}, which the model "
                "does not define",
                "include the file that defines it",
            )
        ids = [i.id for i in population.instances] or list(range(population.size))
        if isinstance(component, Cell):
            built.cells[population.id] = {
                i: build_cell(h, component, f"{population.id}_{i}", mechanisms) for i in ids
            }
        elif component.type == "pointCellCondBased":
            built.cells[population.id] = {
                i: _point_cell(h, document, component, f"{population.id}_{i}", mechanisms)
                for i in ids
            }
        elif component.type in _SPIKE_SOURCES:
            built.sources[population.id] = {i: _spike_source(h, component, built.keep) for i in ids}
        else:
            raise SimulationError(
                f"population {population.id!r}: NEURON here cannot run the cell "
                f"{component.id!r} ({component.type})",
                "NEURON runs NeuroML <cell>s, pointCellCondBased and spike sources; "
                "use the jneuromlSimulator for abstract cells",
            )
    _inputs(h, document, network, built)
    _projections(h, document, network, built)
    return built


def _inputs(h: Any, document: NeuroMLDocument, network: Network, built: BuiltNetwork) -> None:
    targets: list[tuple[str, str, int, int, float, float]] = [
        (e.input, e.population, e.index, 0, 0.5, 1.0) for e in network.explicit_inputs
    ]
    for input_list in network.input_lists:
        targets += [
            (
                input_list.component,
                input_list.population,
                i.index,
                i.segment_id,
                i.fraction_along,
                i.weight,
            )
            for i in input_list.inputs
        ]
    for input_id, population, index, segment, fraction, weight in targets:
        component = document.inputs.get(input_id)
        if component is None:
            raise SimulationError(
                f"an input names {input_id!r}, which the model does not define",
                "include the file that defines it",
            )
        if component.type != "pulseGenerator":
            raise SimulationError(
                f"input {input_id!r} is a {component.type}; NEURON here runs pulseGenerator "
                "inputs and spike-source populations",
                "use the jneuromlSimulator",
            )
        cell = built.cell(population, index)
        clamp = h.IClamp(cell.location(segment, fraction))
        clamp.delay = component.si("delay") * 1e3
        clamp.dur = component.si("duration") * 1e3
        clamp.amp = component.si("amplitude") * 1e9 * weight
        built.keep.append(clamp)


def _synapse(h: Any, component: Component, location: Any) -> tuple[Any, float]:
    """The point process and its NetCon weight (uS) for a synapse component."""
    if component.type == "expOneSynapse":
        syn = h.ExpSyn(location)
        syn.tau = component.si("tauDecay") * 1e3
    elif component.type == "expTwoSynapse":
        syn = h.Exp2Syn(location)
        syn.tau1 = component.si("tauRise") * 1e3
        syn.tau2 = component.si("tauDecay") * 1e3
    else:
        raise SimulationError(
            f"synapse {component.id!r} is a {component.type}; NEURON here runs expOneSynapse "
            "and expTwoSynapse",
            "use the jneuromlSimulator",
        )
    syn.e = component.si("erev") * 1e3
    return syn, component.si("gbase") * 1e6


def _projections(h: Any, document: NeuroMLDocument, network: Network, built: BuiltNetwork) -> None:
    for projection in network.projections:
        if projection.type != "projection":
            raise SimulationError(
                f"projection {projection.id!r} is an {projection.type}",
                "NEURON here runs chemical projections; use the jneuromlSimulator",
            )
        synapse = document.synapses.get(projection.synapse or "")
        if synapse is None:
            raise SimulationError(
                f"projection {projection.id!r} names the synapse {projection.synapse!r}, "
                "which the model does not define",
                "include the file that defines it",
            )
        for connection in projection.connections:
            post = built.cell(projection.postsynaptic_population, connection.post_index)
            syn, gbase = _synapse(
                h,
                synapse,
                post.location(connection.post_segment, connection.post_fraction_along),
            )
            delay = units.si(connection.delay, "time") * 1e3 if connection.delay else 0.0
            pre_pop, pre_index = projection.presynaptic_population, connection.pre_index
            source = built.sources.get(pre_pop, {}).get(pre_index)
            if source is not None:
                netcon = (
                    h.NetCon(source.stim, syn) if source.stim is not None else h.NetCon(None, syn)
                )
                if source.stim is None:
                    built.events.append((netcon, source.times))
            else:
                pre = built.cell(pre_pop, pre_index)
                sec = pre.sections[connection.pre_segment]
                netcon = h.NetCon(sec(connection.pre_fraction_along)._ref_v, syn, sec=sec)
                netcon.threshold = pre.threshold.get(connection.pre_segment, 0.0)
            netcon.delay = delay
            netcon.weight[0] = gbase * connection.weight
            built.keep.extend((syn, netcon))
