"""A parsed NeuroML 2 document: what a viewer draws and a simulator builds, as plain data.

The reader (`parse.py`) fills these from the XML; the Geppetto mapping and simulators read them.
Dimensional attributes stay the strings the file wrote ("-65mV", "120 mS_per_cm2"): their SI
value is one call away (`units.si(text)`, or `Component.si(name)`), and the text is what
a user recognises in an error or a label. Coordinates and diameters are plain floats in um,
as NeuroML writes them (no unit).

Simple elements NeuroML has dozens of (synapses, inputs, abstract cells, concentration models)
are a generic `Component`: the element's tag as `type`, its attributes and its children.
Cells, ion channels and networks, which the mapping and simulators walk, are typed. This module
holds the document, biophysics and channels, and re-exports the morphology and network classes,
so `document` is the one import a reader of NeuroML needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from geppetto_dev.interpreters.neuroml.component import Component
from geppetto_dev.interpreters.neuroml.morphology import Morphology, Point3D, Segment, SegmentGroup
from geppetto_dev.interpreters.neuroml.network import (
    Connection,
    ExplicitInput,
    Input,
    InputList,
    Instance,
    Network,
    Population,
    Projection,
    cell_index,
)

__all__ = [
    "BiophysicalProperties",
    "Cell",
    "ChannelDensity",
    "Component",
    "Connection",
    "ExplicitInput",
    "Gate",
    "Input",
    "InputList",
    "Instance",
    "IntracellularProperties",
    "IonChannel",
    "MembraneProperties",
    "Morphology",
    "Network",
    "NeuroMLDocument",
    "Point3D",
    "Population",
    "Projection",
    "Segment",
    "SegmentGroup",
    "Species",
    "ValueAcross",
    "cell_index",
]


@dataclass(slots=True)
class ValueAcross:
    """A value set on a group of segments: `<specificCapacitance value=.. segmentGroup=..>`."""

    value: str
    segment_group: str = "all"


@dataclass(slots=True)
class ChannelDensity:
    """`<channelDensity>`, `<channelDensityNernst>`, `<channelDensityGHK>`, ... (`type`)."""

    id: str
    type: str
    ion_channel: str
    ion: str | None = None
    cond_density: str | None = None  # absent for GHK (permeability) and some non-uniform kinds
    erev: str | None = None  # absent for Nernst (computed) and GHK
    segment_group: str = "all"
    segment: int | None = None
    # Every attribute as written (permeability, number, ...), and children
    # (<variableParameter> of the non-uniform kinds).
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)


@dataclass(slots=True)
class MembraneProperties:
    channel_densities: list[ChannelDensity] = field(default_factory=list)
    spike_thresh: list[ValueAcross] = field(default_factory=list)
    specific_capacitance: list[ValueAcross] = field(default_factory=list)
    init_memb_potential: list[ValueAcross] = field(default_factory=list)
    # <channelPopulation> and anything else under membraneProperties.
    extra: list[Component] = field(default_factory=list)


@dataclass(slots=True)
class Species:
    """An ion's concentration in a segment group, following `concentration_model`."""

    id: str
    ion: str | None
    concentration_model: str
    initial_concentration: str
    initial_ext_concentration: str
    segment_group: str = "all"


@dataclass(slots=True)
class IntracellularProperties:
    resistivity: list[ValueAcross] = field(default_factory=list)
    species: list[Species] = field(default_factory=list)


@dataclass(slots=True)
class BiophysicalProperties:
    id: str
    membrane: MembraneProperties = field(default_factory=MembraneProperties)
    intracellular: IntracellularProperties = field(default_factory=IntracellularProperties)


@dataclass(slots=True)
class Cell:
    """A `<cell>` (or `<cell2CaPools>`: `type`) with its morphology and biophysics."""

    id: str
    type: str = "cell"
    morphology: Morphology | None = None
    biophysics: BiophysicalProperties | None = None
    notes: str | None = None
    # The ids a cell may name instead of holding them (`<cell morphology="m1">`), kept so
    # `parse.py` can resolve them once the whole document is read.
    morphology_ref: str | None = None
    biophysics_ref: str | None = None


# -- channels ------------------------------------------------------------------------------


@dataclass(slots=True)
class Gate:
    """One gate of an ion channel: `type` is the tag (gateHHrates, gateHHtauInf, ...).

    Each rate is a Component whose `type` is the `type` attribute (HHExpRate, HHSigmoidRate,
    HHExpLinearRate, HHSigmoidVariable, fixedTimeCourse, ...) and whose attributes hold rate,
    midpoint and scale (or tau): `forward_rate.get("midpoint") == "-40mV"`.
    """

    id: str
    type: str
    instances: int = 1
    forward_rate: Component | None = None
    reverse_rate: Component | None = None
    steady_state: Component | None = None
    time_course: Component | None = None
    q10_settings: Component | None = None
    # Sub-gates (gateFractional), KS states and transitions, notes: anything else.
    extra: list[Component] = field(default_factory=list)


@dataclass(slots=True)
class IonChannel:
    """`<ionChannelHH>`, `<ionChannel>`, `<ionChannelPassive>`, `<ionChannelKS>` (`type`)."""

    id: str
    type: str
    conductance: str | None = None
    species: str | None = None
    gates: list[Gate] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    notes: str | None = None


# -- the document --------------------------------------------------------------------------


@dataclass(slots=True)
class NeuroMLDocument:
    """Everything a NeuroML file and its includes define, by id, in file order."""

    id: str | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    # Point neurons and other cells without morphology: izhikevichCell, iafCell, adExIaFCell,
    # PyNN's IF_curr_alpha, ... (`type` is the tag).
    abstract_cells: dict[str, Component] = field(default_factory=dict)
    ion_channels: dict[str, IonChannel] = field(default_factory=dict)
    synapses: dict[str, Component] = field(default_factory=dict)
    inputs: dict[str, Component] = field(default_factory=dict)  # pulseGenerator, spikeArray, ...
    concentration_models: dict[str, Component] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    # Top-level morphologies and biophysics cells may name, and any other element.
    morphologies: dict[str, Morphology] = field(default_factory=dict)
    biophysics: dict[str, BiophysicalProperties] = field(default_factory=dict)
    components: dict[str, Component] = field(default_factory=dict)
    # Every file read, the main one first (includes were followed relative to it), and the
    # file that defined each top-level id.
    files: list[str] = field(default_factory=list)
    defined_in: dict[str, str] = field(default_factory=dict)

    def cell_like(self, component_id: str) -> Cell | Component | None:
        """The cell or abstract cell a population names."""
        return self.cells.get(component_id) or self.abstract_cells.get(component_id)

    def all_ids(self) -> Iterator[str]:
        for table in (
            self.cells,
            self.abstract_cells,
            self.ion_channels,
            self.synapses,
            self.inputs,
            self.concentration_models,
            self.networks,
            self.components,
        ):
            yield from table
