"""Model parameters an experiment sets (set_parameters) applied to the NeuroML document a run
builds, by the Geppetto paths the client names them by.

The paths are those of the model the NeuroML interpreter shows (the first name is the instance,
which the client may call anything; a population element follows):

- `net.pop[i].<biophysics>.membraneProperties.<density>.condDensity` (or `gDensity`, the LEMS
  exposure Java projects name) and `.erev`;
- `net.pop[i].<biophysics>.membraneProperties.spikeThresh`, `specificCapacitance`,
  `initMembPotential` (a `_<group>` suffix for a further segment group), and
  `...intracellularProperties.resistivity`;
- `net.pop[i].<biophysics>.membraneProperties.<density>.<channel>.conductance`;
- `net.pop[i].<attribute>` for a point cell (izhikevich `a`, iaf `thresh`, ...);
- `net.temperature`, `net.<projection>.<synapse>.<attribute>` for a synapse, and
  `net.<input>.<attribute>` for an input the network uses (a pulse generator's `amplitude`:
  the classic parameter sweep).

A value is in the unit the model shows for that parameter, the file's own (`120` for
"120 mS_per_cm2"); `gDensity`, an exposure, is in SI (S_per_m2), as Java's LEMS models had it.
A parameter belongs to a type in Geppetto, so it changes every cell of that type. A path naming
nothing the simulator can set fails the run, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from geppetto_dev.interpreters.neuroml.document import (
    Cell,
    Component,
    Network,
    NeuroMLDocument,
    ValueAcross,
)
from geppetto_dev.interpreters.neuroml.units import QuantityError, split_quantity
from geppetto_dev.simulators.job import SimulationError

__all__ = ["apply_parameters"]

_ELEMENT = re.compile(r"^(?P<pop>[A-Za-z_]\w*)\[(?P<index>\d+)\]$")
_MEMBRANE = {
    "spikeThresh": "spike_thresh",
    "specificCapacitance": "specific_capacitance",
    "initMembPotential": "init_memb_potential",
}


def apply_parameters(
    document: NeuroMLDocument, network: Network, parameters: Mapping[str, float]
) -> None:
    """Change `document` in place; SimulationError for a path it cannot apply."""
    for path, value in parameters.items():
        _apply(document, network, path, float(value))


def _unknown(path: str, why: str) -> SimulationError:
    return SimulationError(
        f"cannot set the parameter {path!r}: {why}",
        "set a parameter the model shows (a channel density's condDensity, the membrane's "
        "specificCapacitance, a point cell's attribute, a synapse's gbase, ...), or remove it "
        "from the experiment",
    )


def _replaced(text: str | None, value: float, path: str, *, si_unit: str | None = None) -> str:
    """`text` ("120 mS_per_cm2") with its number replaced by `value`, in its own unit (or in
    `si_unit`, the whole quantity then)."""
    if si_unit is not None:
        return f"{value!r} {si_unit}"
    if text is None:
        raise _unknown(path, "the model gives it no value to change")
    try:
        _, unit = split_quantity(text)
    except QuantityError:
        raise _unknown(path, f"its value {text!r} is not a number") from None
    return f"{value!r} {unit}".strip()


def _apply(document: NeuroMLDocument, network: Network, path: str, value: float) -> None:
    tokens = path.split(".")
    start = next((i for i, t in enumerate(tokens[:2]) if _ELEMENT.match(t)), None)
    if start is None:
        _apply_to_network(document, network, path, tokens[1:] if len(tokens) > 1 else [], value)
        return
    match = _ELEMENT.match(tokens[start])
    assert match is not None
    population_id = match.group("pop")
    try:
        population = network.population(population_id)
    except KeyError:
        raise _unknown(path, f"the network has no population {population_id!r}") from None
    rest = tokens[start + 1 :]
    cell = document.cells.get(population.component)
    if cell is not None:
        _apply_to_cell(document, cell, path, rest, value)
        return
    component = document.abstract_cells.get(population.component)
    if component is not None and len(rest) == 1 and rest[0] in component.attributes:
        component.attributes[rest[0]] = _replaced(component.attributes[rest[0]], value, path)
        return
    raise _unknown(path, f"{'.'.join(rest) or population_id!r} is not a parameter of its cell")


def _apply_to_network(
    document: NeuroMLDocument, network: Network, path: str, rest: list[str], value: float
) -> None:
    if rest == ["temperature"]:
        network.temperature = _replaced(network.temperature, value, path)
        return
    if len(rest) == 2 and rest[0] in document.inputs:
        _set_attribute(document.inputs[rest[0]], rest[1], value, path)
        return
    if len(rest) == 3:
        projection = next((p for p in network.projections if p.id == rest[0]), None)
        synapse = document.synapses.get(rest[1]) if projection is not None else None
        if synapse is not None and projection is not None and projection.synapse == rest[1]:
            _set_attribute(synapse, rest[2], value, path)
            return
    raise _unknown(path, "no population element (pop[i]), temperature, input or synapse in it")


def _set_attribute(component: Component, name: str, value: float, path: str) -> None:
    if name not in component.attributes:
        raise _unknown(path, f"{component.id or component.type!r} has no {name!r}")
    component.attributes[name] = _replaced(component.attributes[name], value, path)


def _apply_to_cell(
    document: NeuroMLDocument, cell: Cell, path: str, rest: list[str], value: float
) -> None:
    bio = cell.biophysics
    if bio is None or len(rest) < 3 or rest[0] != bio.id:
        raise _unknown(path, f"cell {cell.id!r} has no such parameter")
    part, names = rest[1], rest[2:]
    if part == "intracellularProperties" and names and names[0].startswith("resistivity"):
        _set_across(bio.intracellular.resistivity, "resistivity", names[0], value, path)
        return
    if part != "membraneProperties":
        raise _unknown(path, f"{part!r} is not membraneProperties or intracellularProperties")
    membrane = bio.membrane
    for name, field in _MEMBRANE.items():
        if len(names) == 1 and names[0].startswith(name):
            _set_across(getattr(membrane, field), name, names[0], value, path)
            return
    density = next((d for d in membrane.channel_densities if d.id == names[0]), None)
    if density is None:
        raise _unknown(path, f"cell {cell.id!r} has no channel density {names[0]!r}")
    if names[1:] in (["condDensity"], ["gDensity"]):
        si = "S_per_m2" if names[1] == "gDensity" else None
        density.cond_density = _replaced(density.cond_density, value, path, si_unit=si)
        density.attributes["condDensity"] = density.cond_density
    elif names[1:] == ["erev"]:
        density.erev = _replaced(density.erev, value, path)
        density.attributes["erev"] = density.erev
    elif len(names) == 3 and names[2] == "conductance" and names[1] == density.ion_channel:
        channel = document.ion_channels.get(density.ion_channel)
        if channel is None:
            raise _unknown(path, f"no ion channel {density.ion_channel!r}")
        channel.conductance = _replaced(channel.conductance, value, path)
    else:
        raise _unknown(path, f"{'.'.join(names[1:])!r} is not a parameter of {density.id!r}")


def _set_across(values: list[ValueAcross], name: str, token: str, value: float, path: str) -> None:
    """`name` is the first group's value; `name_<group>` another group's (as the model shows)."""
    group = token[len(name) + 1 :] if token != name else None
    for i, item in enumerate(values):
        if (group is None and i == 0) or item.segment_group == group:
            item.value = _replaced(item.value, value, path)
            return
    raise _unknown(path, f"the cell sets no {token!r}")
