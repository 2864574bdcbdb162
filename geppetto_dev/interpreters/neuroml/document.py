"""A parsed NeuroML 2 document: what a viewer draws and a simulator builds, as plain data.

The reader (`parse.py`) fills these from the XML; the Geppetto mapping and simulators read them.
Dimensional attributes stay the strings the file wrote ("-65mV", "120 mS_per_cm2"): their SI
value is one call away (`units.si(text)`, or `Component.si(name)`), and the text is what
a user recognises in an error or a label. Coordinates and diameters are plain floats in um,
as NeuroML writes them (no unit).

Simple elements NeuroML has dozens of (synapses, inputs, abstract cells, concentration models)
are a generic `Component`: the element's tag as `type`, its attributes and its children.
Cells, ion channels and networks, which the mapping and simulators walk, are typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from geppetto_dev.interpreters.neuroml import units

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
class Component:
    """Any NeuroML element by its tag: `<expTwoSynapse id=.. tauRise="3e-5s" .../>`."""

    type: str
    id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attributes.get(name, default)

    def si(self, name: str) -> float:
        """An attribute's SI value ("0.5e-3s" -> 0.0005); KeyError when absent."""
        return units.si(self.attributes[name])

    def child(self, type_: str) -> Component | None:
        return next((c for c in self.children if c.type == type_), None)


# -- morphology ----------------------------------------------------------------------------


@dataclass(slots=True)
class Point3D:
    """A 3-D point with a diameter, in um."""

    x: float
    y: float
    z: float
    diameter: float

    def same(self, other: Point3D) -> bool:
        """Java's samePoint: equal coordinates and diameter (then a segment is a sphere)."""
        return (self.x, self.y, self.z, self.diameter) == (
            other.x,
            other.y,
            other.z,
            other.diameter,
        )


@dataclass(slots=True)
class Segment:
    """A frustum from `proximal` to `distal`; no proximal means the parent's distal."""

    id: int
    name: str | None
    distal: Point3D
    proximal: Point3D | None = None
    parent: int | None = None
    # Where along the parent this segment joins it (1 = the parent's distal end).
    fraction_along: float = 1.0
    neuro_lex_id: str | None = None


@dataclass(slots=True)
class SegmentGroup:
    """Named segments: listed (`members`), by other groups (`includes`), or by path/subtree."""

    id: str
    members: list[int] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    # <path> from a segment to another (to None: to the ends); <subTree> from/to likewise.
    paths: list[tuple[int | None, int | None]] = field(default_factory=list)
    sub_trees: list[tuple[int | None, int | None]] = field(default_factory=list)
    neuro_lex_id: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    # <inhomogeneousParameter> and other children, kept for simulators that need them.
    extra: list[Component] = field(default_factory=list)


@dataclass(slots=True)
class Morphology:
    id: str
    segments: list[Segment] = field(default_factory=list)
    segment_groups: list[SegmentGroup] = field(default_factory=list)

    def segment(self, segment_id: int) -> Segment:
        for s in self.segments:
            if s.id == segment_id:
                return s
        raise KeyError(f"morphology {self.id!r} has no segment {segment_id}")

    def group(self, group_id: str) -> SegmentGroup | None:
        return next((g for g in self.segment_groups if g.id == group_id), None)

    def proximal(self, segment: Segment) -> Point3D | None:
        """The segment's proximal point, else its parent's distal (NeuroML's rule)."""
        if segment.proximal is not None:
            return segment.proximal
        if segment.parent is None:
            return None
        try:
            return self.segment(segment.parent).distal
        except KeyError:
            return None

    def group_segments(self, group_id: str) -> list[int]:
        """The ids of a group's segments, includes, paths and subtrees expanded, in file order.

        "all" is every segment when no group has that id (NeuroML's implicit group).
        """
        order = {s.id: i for i, s in enumerate(self.segments)}
        found = self._expand(group_id, set())
        return sorted(found, key=lambda s: order.get(s, len(order)))

    def _expand(self, group_id: str, seen: set[str]) -> set[int]:
        group = self.group(group_id)
        if group is None:
            return {s.id for s in self.segments} if group_id == "all" else set()
        if group_id in seen:  # a group including itself, directly or not
            return set()
        seen.add(group_id)
        out = set(group.members)
        for inc in group.includes:
            out |= self._expand(inc, seen)
        if group.paths or group.sub_trees:
            children: dict[int, list[int]] = {}
            for s in self.segments:
                if s.parent is not None:
                    children.setdefault(s.parent, []).append(s.id)
            for start, end in group.paths:
                out |= _path(self, start, end, children)
            for start, end in group.sub_trees:
                out |= _path(self, start, end, children, whole_tree=end is None)
        return out


def _path(
    morph: Morphology,
    start: int | None,
    end: int | None,
    children: dict[int, list[int]],
    *,
    whole_tree: bool = False,
) -> set[int]:
    """Segments from `start` to `end` (walking up from `end`), or below `start` when no end."""
    if end is not None:
        parents = {s.id: s.parent for s in morph.segments}
        out: set[int] = set()
        at: int | None = end
        while at is not None and at not in out:
            out.add(at)
            if at == start:
                return out
            at = parents.get(at)
        return out if start is None else set()
    roots = [start] if start is not None else [s.id for s in morph.segments if s.parent is None]
    out = set()
    stack = list(roots)
    while stack:
        sid = stack.pop()
        if sid not in out:
            out.add(sid)
            stack.extend(children.get(sid, ()))
    return out


# -- biophysics ----------------------------------------------------------------------------


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


# -- networks ------------------------------------------------------------------------------


@dataclass(slots=True)
class Instance:
    """One cell of a `populationList`; `location` is (x, y, z) in um."""

    id: int
    location: tuple[float, float, float] | None = None
    # Lattice indices of <instance i= j= k=>, when given.
    ijk: tuple[int, int, int] | None = None


@dataclass(slots=True)
class Population:
    """`size` cells of `component`; a `populationList` has located `instances`."""

    id: str
    component: str
    size: int
    type: str = "population"
    instances: list[Instance] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    extra: list[Component] = field(default_factory=list)  # <layout>, <annotation>, ...


def cell_index(ref: str) -> int:
    """The cell number of a NeuroML cell reference: "../pop0/1/MultiCompCell" -> 1,
    "../hhpop[0]" and "hhpop[0]" -> 0, "3" -> 3 (Java's parseCellRefStringForCellNum)."""
    if "[" in ref:
        return int(ref[ref.index("[") + 1 : ref.index("]")])
    parts = ref.split("/")
    if len(parts) == 1:
        return int(parts[0])
    return int(parts[2] if ref.startswith("../") else parts[1])


@dataclass(slots=True)
class Connection:
    """One connection of a projection, `pre_cell`/`post_cell` as the file wrote them.

    `pre_cell` is a path (`../pop0/0/MultiCompCell`, `../pop[0]`) or a bare index; the
    `pre_index`/`post_index` properties give the cell numbers in their populations.
    """

    id: int
    pre_cell: str
    post_cell: str
    pre_segment: int = 0
    pre_fraction_along: float = 0.5
    post_segment: int = 0
    post_fraction_along: float = 0.5
    type: str = "connection"  # connectionWD, electricalConnectionInstance, ...
    weight: float = 1.0
    delay: str | None = None  # connectionWD's delay ("5ms")
    # Electrical/continuous projections name components per connection (synapse,
    # preComponent, postComponent): kept here with any other attribute.
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def pre_index(self) -> int:
        return cell_index(self.pre_cell)

    @property
    def post_index(self) -> int:
        return cell_index(self.post_cell)


@dataclass(slots=True)
class Projection:
    """`<projection>` (chemical; `synapse`), `<electricalProjection>`, `<continuousProjection>`."""

    id: str
    presynaptic_population: str
    postsynaptic_population: str
    synapse: str | None = None
    type: str = "projection"
    connections: list[Connection] = field(default_factory=list)


@dataclass(slots=True)
class Input:
    """One input of an inputList: `target` a cell path (`../pop0/0/MultiCompCell`)."""

    id: int
    target: str
    destination: str = "synapses"
    segment_id: int = 0
    fraction_along: float = 0.5
    weight: float = 1.0

    @property
    def index(self) -> int:
        return cell_index(self.target)


@dataclass(slots=True)
class InputList:
    id: str
    component: str
    population: str
    inputs: list[Input] = field(default_factory=list)


@dataclass(slots=True)
class ExplicitInput:
    """`<explicitInput target="hhpop[0]" input="pulseGen1"/>`."""

    target: str
    input: str
    destination: str | None = None

    @property
    def population(self) -> str:
        return self.target.split("[")[0].removeprefix("../").split("/")[0]

    @property
    def index(self) -> int:
        return cell_index(self.target)


@dataclass(slots=True)
class Network:
    id: str
    type: str = "network"  # networkWithTemperature
    temperature: str | None = None
    populations: list[Population] = field(default_factory=list)
    projections: list[Projection] = field(default_factory=list)
    explicit_inputs: list[ExplicitInput] = field(default_factory=list)
    input_lists: list[InputList] = field(default_factory=list)
    extra: list[Component] = field(default_factory=list)  # regions, properties, ...

    def population(self, population_id: str) -> Population:
        for p in self.populations:
            if p.id == population_id:
                return p
        raise KeyError(f"network {self.id!r} has no population {population_id!r}")


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
    # Every file read, the main one first (includes were followed relative to it).
    files: list[str] = field(default_factory=list)

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
