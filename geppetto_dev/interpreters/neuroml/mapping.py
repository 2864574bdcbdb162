"""A NeuroML document as Geppetto types, the way the Java server's PopulateTypes built them.

A network is a CompositeType with one variable per population (an ArrayType of the cell's type,
positioned where the file locates its instances) and one per projection (an ImportType, resolved
on request). A cell is a CompositeType drawn by its morphology, whose variables are what a
simulator records: `v` and `spiking` (on each compartment, named like its segment's visual, when
the cell has several), and below `<biophysicalProperties id>.membraneProperties` each channel
density's channel and its gates' `q`. Units are SI, as Java gave them.

Library type ids are the components' ids where they are unique (`hhcell`, `naChan`); types
Java kept anonymous get the path of their owner (`hhcell__bioPhys1__naChans`).
"""

from __future__ import annotations

from geppetto_dev.interpreters.neuroml.component import Component
from geppetto_dev.interpreters.neuroml.document import (
    BiophysicalProperties,
    Cell,
    IonChannel,
    Network,
    NeuroMLDocument,
    Population,
    Projection,
    ValueAcross,
)
from geppetto_dev.interpreters.neuroml.exposures import exposures
from geppetto_dev.interpreters.neuroml.units import QuantityError, split_quantity
from geppetto_dev.interpreters.neuroml.visual import (
    morphology_type,
    parse_id,
    segment_ids,
    sphere_type,
)
from geppetto_dev.model import (
    ArrayElement,
    ArrayType,
    ArrayValue,
    CompositeType,
    CompositeVisualType,
    GeppettoLibrary,
    ImportType,
    PhysicalQuantity,
    Text,
    Type,
    Variable,
    common,
)

__all__ = ["INTERPRETER_ID", "TypeBuilder", "UnknownComponent"]

INTERPRETER_ID = "neuroMLModelInterpreter"
_CA_EXPOSURES = ("caConc", "caConcExt")


class UnknownComponent(KeyError):
    """A component id the document does not define."""


def state_variable(name: str, unit: str) -> Variable:
    """An exposure: a StateVariable whose PhysicalQuantity carries only the SI unit."""
    return Variable(name, common.STATE_VARIABLE, name, PhysicalQuantity(unit=unit))


def parameter(name: str, text: str) -> Variable:
    """A parameter as Java showed it: the number and the unit as the file wrote them."""
    try:
        value, unit = split_quantity(text)
    except QuantityError:
        return Variable(parse_id(name), common.TEXT, name, Text(text))
    return Variable(parse_id(name), common.PARAMETER, name, PhysicalQuantity(value, unit))


def _exposed(component_type: str, skip: tuple[str, ...] = ()) -> list[Variable]:
    return [state_variable(n, u) for n, u in exposures(component_type) if n not in skip]


def _across(name: str, values: list[ValueAcross]) -> list[Variable]:
    """`specificCapacitance`, then `specificCapacitance_<group>` for further groups."""
    out = []
    for i, v in enumerate(values):
        out.append(parameter(name if i == 0 else f"{name}_{v.segment_group}", v.value))
    return out


class TypeBuilder:
    """Builds the types of one document; every type it makes is in `made`, in creation order.

    `library` is only read (to keep new ids unique against types already there): the caller
    adds `made` to it, except the type it swaps in for an ImportType.
    """

    def __init__(self, doc: NeuroMLDocument, library: GeppettoLibrary, url: str | None = None):
        self.doc = doc
        self.url = url
        self.taken = {t.id for t in library.types}
        self.existing = {t.id: t for t in library.types}
        self.made: list[Type] = []
        self.cache: dict[tuple[str, str], Type] = {}
        self.sphere: CompositeVisualType | None = None

    def _add(self, type_: Type) -> Type:
        base, n = type_.id, 1
        while type_.id in self.taken:
            n += 1
            type_.id = f"{base}_{n}"
        self.taken.add(type_.id)
        self.made.append(type_)
        return type_

    # -- entry points --------------------------------------------------------------------

    def component(self, component_id: str) -> Type:
        """The type of any component the document defines (network, cell, channel, ...)."""
        doc = self.doc
        if component_id in doc.networks:
            return self.network(doc.networks[component_id])
        if component_id in doc.cells:
            return self.cell(doc.cells[component_id])
        if component_id in doc.ion_channels:
            return self.channel(doc.ion_channels[component_id])
        for table in (doc.abstract_cells, doc.inputs, doc.synapses, doc.components):
            if component_id in table:
                return self.generic(table[component_id])
        for net in doc.networks.values():
            for proj in net.projections:
                if parse_id(proj.id) == component_id or proj.id == component_id:
                    return self.resolved_projection(proj)
        raise UnknownComponent(component_id)

    # -- networks ------------------------------------------------------------------------

    def network(self, net: Network) -> CompositeType:
        key = ("network", net.id)
        if key in self.cache:
            return self.cache[key]  # type: ignore[return-value]
        variables: list[Variable] = []
        if net.temperature is not None:
            variables.append(parameter("temperature", net.temperature))
        for pop in net.populations:
            variables.append(Variable(parse_id(pop.id), self.population(pop), pop.id))
        for proj in net.projections:
            if proj.synapse is not None and proj.synapse in self.doc.synapses:
                self.generic(self.doc.synapses[proj.synapse])
            imported = ImportType(
                parse_id(proj.id), proj.id, url=self.url, model_interpreter_id=INTERPRETER_ID
            )
            variables.append(Variable(parse_id(proj.id), self._add(imported), proj.id))
        net_type = CompositeType(parse_id(net.id), net.id, variables)
        self.cache[key] = self._add(net_type)
        return net_type

    def population(self, pop: Population) -> ArrayType:
        doc = self.doc
        if pop.component in doc.cells:
            cell_type: Type = self.cell(doc.cells[pop.component])
        else:
            try:
                cell_type = self.component(pop.component)
            except UnknownComponent:
                raise UnknownComponent(
                    f"population {pop.id!r} is of {pop.component!r}, which no file defines"
                ) from None
            if self.sphere is None:
                self.sphere = sphere_type(pop.component)
                self._add(self.sphere)
            cell_type.visual_type = self.sphere
        if pop.type == "populationList":
            value = ArrayValue(
                [ArrayElement(i, inst.location) for i, inst in enumerate(pop.instances)]
            )
            size = len(pop.instances)
        else:
            value, size = ArrayValue(), pop.size
        array = ArrayType(parse_id(pop.id), cell_type, size, name=pop.id, default_value=value)
        self._add(array)
        return array

    def resolved_projection(self, proj: Projection) -> CompositeType:
        """What a projection's ImportType resolves to: its synapse, ends and connections."""
        variables = [
            Variable("presynapticPopulation", common.TEXT, None, Text(proj.presynaptic_population)),
            Variable(
                "postsynapticPopulation", common.TEXT, None, Text(proj.postsynaptic_population)
            ),
            Variable(
                "connections",
                common.PARAMETER,
                "Connections",
                PhysicalQuantity(float(len(proj.connections)), ""),
            ),
        ]
        if proj.synapse is not None and proj.synapse in self.doc.synapses:
            synapse = self.existing.get(parse_id(proj.synapse))
            if synapse is None:
                synapse = self.generic(self.doc.synapses[proj.synapse])
            variables.insert(0, Variable(parse_id(proj.synapse), synapse, proj.synapse))
        return CompositeType(parse_id(proj.id), proj.id, variables)

    # -- cells ---------------------------------------------------------------------------

    def cell(self, cell: Cell) -> CompositeType:
        key = ("cell", cell.id)
        if key in self.cache:
            return self.cache[key]  # type: ignore[return-value]
        morph = cell.morphology
        compartments = segment_ids(morph) if morph is not None else []
        several = len(compartments) > 1
        variables: list[Variable] = []
        if cell.biophysics is not None:
            variables.append(self._biophysics(cell, cell.biophysics))
        skip = _CA_EXPOSURES + (("v", "spiking") if several else ())
        variables.extend(_exposed(cell.type, skip))
        if several and morph is not None:
            ca_segments = self._ca_segments(cell)
            for i, vid in enumerate(compartments):
                kind = self._compartment(ca=morph.segments[i].id in ca_segments)
                variables.append(Variable(vid, kind, vid))
        cell_type = CompositeType(parse_id(cell.id), cell.id, variables)
        if morph is not None:
            cell_type.visual_type = self._add(morphology_type(cell, morph, compartments))
        self.cache[key] = self._add(cell_type)
        return cell_type

    def _ca_segments(self, cell: Cell) -> set[int]:
        """Segments with a calcium species, which Java gave caConc on their compartments."""
        if cell.biophysics is None or cell.morphology is None:
            return set()
        out: set[int] = set()
        for species in cell.biophysics.intracellular.species:
            if species.id == "ca":
                out.update(cell.morphology.group_segments(species.segment_group))
        return out

    def _compartment(self, *, ca: bool) -> CompositeType:
        key = ("compartment", "ca" if ca else "")
        if key not in self.cache:
            variables = [state_variable("v", "V"), state_variable("spiking", "")]
            if ca:
                variables += [state_variable(n, "mol_per_m3") for n in _CA_EXPOSURES]
            type_id = "ca_compartment" if ca else "compartment"
            self.cache[key] = self._add(CompositeType(type_id, type_id, variables))
        return self.cache[key]  # type: ignore[return-value]

    def _biophysics(self, cell: Cell, bio: BiophysicalProperties) -> Variable:
        prefix = f"{parse_id(cell.id)}__{parse_id(bio.id)}"
        mem = bio.membrane
        mem_vars: list[Variable] = []
        for density in mem.channel_densities:
            dvars = [
                parameter(name, density.attributes[name])
                for name in ("condDensity", "erev", "permeability")
                if name in density.attributes
            ]
            channel = self.doc.ion_channels.get(density.ion_channel)
            if channel is not None:
                ch_type = self.channel(channel)
                dvars.append(Variable(parse_id(channel.id), ch_type, channel.id))
            taken = {v.id for v in dvars}
            dvars += [v for v in _exposed(density.type) if v.id not in taken]
            d_type = self._add(
                CompositeType(f"{prefix}__{parse_id(density.id)}", density.id, dvars)
            )
            mem_vars.append(Variable(parse_id(density.id), d_type, density.id))
        mem_vars += _across("spikeThresh", mem.spike_thresh)
        mem_vars += _across("specificCapacitance", mem.specific_capacitance)
        mem_vars += _across("initMembPotential", mem.init_memb_potential)
        mem_vars += _exposed("membraneProperties")
        mem_type = self._add(CompositeType(f"{prefix}__membraneProperties", None, mem_vars))
        intra_vars = _across("resistivity", bio.intracellular.resistivity)
        intra_type = self._add(
            CompositeType(f"{prefix}__intracellularProperties", None, intra_vars)
        )
        bio_vars = [
            Variable("membraneProperties", mem_type, "membraneProperties"),
            Variable("intracellularProperties", intra_type, "intracellularProperties"),
            *_exposed("biophysicalProperties"),
        ]
        bio_type = self._add(CompositeType(prefix, bio.id, bio_vars))
        return Variable(parse_id(bio.id), bio_type, bio.id)

    def channel(self, channel: IonChannel) -> CompositeType:
        key = ("channel", channel.id)
        if key in self.cache:
            return self.cache[key]  # type: ignore[return-value]
        cid = parse_id(channel.id)
        variables: list[Variable] = []
        if channel.conductance is not None:
            variables.append(parameter("conductance", channel.conductance))
        for gate in channel.gates:
            gate_vars = [
                Variable(
                    "instances",
                    common.PARAMETER,
                    "instances",
                    PhysicalQuantity(float(gate.instances), ""),
                )
            ]
            gate_vars += _exposed(gate.type)
            gate_type = self._add(CompositeType(f"{cid}__{parse_id(gate.id)}", gate.id, gate_vars))
            variables.append(Variable(parse_id(gate.id), gate_type, gate.id))
        variables += _exposed(channel.type)
        ch_type = CompositeType(cid, channel.id, variables)
        self.cache[key] = self._add(ch_type)
        return ch_type

    def generic(self, comp: Component) -> CompositeType:
        """Abstract cells, synapses, inputs: their quantities as parameters, then exposures."""
        cid = comp.id or comp.type
        key = ("component", cid)
        if key in self.cache:
            return self.cache[key]  # type: ignore[return-value]
        variables = [
            parameter(name, text)
            for name, text in comp.attributes.items()
            if name != "type" and _is_quantity(text)
        ]
        taken = {v.id for v in variables}
        variables += [v for v in _exposed(comp.type) if v.id not in taken]
        comp_type = CompositeType(parse_id(cid), cid, variables)
        self.cache[key] = self._add(comp_type)
        return comp_type


def _is_quantity(text: str) -> bool:
    try:
        split_quantity(text)
    except QuantityError:
        return False
    return True
