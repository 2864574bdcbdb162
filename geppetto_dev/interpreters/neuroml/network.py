"""Networks: populations of cells, projections connecting them, and their inputs.

Cell references stay as the file wrote them (`../pop0/1/MultiCompCell`, `hhpop[0]`);
`cell_index` reads the cell number out of any of those forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geppetto_dev.interpreters.neuroml.component import Component

__all__ = [
    "Connection",
    "ExplicitInput",
    "Input",
    "InputList",
    "Instance",
    "Network",
    "Population",
    "Projection",
    "cell_index",
]


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
