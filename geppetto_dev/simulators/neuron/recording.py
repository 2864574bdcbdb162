"""Geppetto paths of a NeuroML network, recorded in NEURON and returned in SI units.

The paths are the Java server's: `net.pop[i].v` (a one-segment cell, or segment 0),
`net.pop[i].Soma_0.v` (the segment whose id follows the last `_`), a gate's state
`net.pop[i].bioPhys1.membraneProperties.naChans.na.m.q` (the channel density `naChans`, the
gate `m`), and a density's conductance and current, `...naChans.gDensity` (S_per_m2) and
`...naChans.iDensity` (A_per_m2, inward positive as NeuroML has it). The first name is the
instance the experiment runs (any name); a path may also start at the population
(`pop[i].v`). Potentials come back in volts and time in seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.simulators.neuron.cells import BuiltCell
from geppetto_dev.simulators.neuron.network import BuiltNetwork

__all__ = ["Probe", "probe"]

_ELEMENT = re.compile(r"^(?P<pop>[A-Za-z_][\w]*)\[(?P<index>\d+)\]$")
_SEGMENT = re.compile(r"_(\d+)$")


@dataclass(frozen=True)
class Probe:
    """Where a path is read in NEURON: a pointer, its scale to SI and the SI unit."""

    path: str
    pointer: Any
    scale: float
    unit: str
    # `spiking`: 1 while the potential (mV) is above the cell's spike threshold, as LEMS has it.
    threshold: float | None = None

    def values(self, vector: Any) -> list[float]:
        """The recorded vector in SI units (or, for `spiking`, as 0 and 1)."""
        if self.threshold is not None:
            threshold = self.threshold
            return [1.0 if x > threshold else 0.0 for x in vector]
        if self.scale != 1.0:
            vector.mul(self.scale)
        values: list[float] = vector.to_python()
        return values


# A density's exposure -> (KSChan range variable, scale to SI, SI unit): g in S/cm2, i in
# mA/cm2 outward (NeuroML's iDensity is inward).
_DENSITY = {"gDensity": ("g", 1e4, "S_per_m2"), "iDensity": ("i", -10.0, "A_per_m2")}


def _density_probe(
    cell: BuiltCell, path: str, density_id: str, segment: int, exposure: str
) -> Probe:
    where = cell.densities.get(density_id)
    if where is None:
        raise _unknown(path, f"cell {cell.cell_id!r} has no channel density {density_id!r}")
    mechanism, segments = where
    if mechanism.kind != "ks":
        raise _unknown(path, f"{exposure} is recorded for channels NEURON defines at run time")
    if segment not in segments:
        segment = segments[0]
    variable, scale, unit = _DENSITY[exposure]
    point = getattr(cell.location(segment), mechanism.name)
    return Probe(path, getattr(point, f"_ref_{variable}"), scale, unit)


def _unknown(path: str, why: str) -> SimulationError:
    return SimulationError(
        f"cannot record {path!r}: {why}",
        "watch a membrane potential (pop[i].v, pop[i].<segment>_<id>.v) or a gate state "
        "(pop[i].<biophysics>.membraneProperties.<density>.<channel>.<gate>.q)",
    )


def _segment_of(cell: BuiltCell, token: str) -> int | None:
    match = _SEGMENT.search(token)
    if match is not None and int(match.group(1)) in cell.sections:
        return int(match.group(1))
    if token.startswith("vo") and token[2:].isdigit() and int(token[2:]) in cell.sections:
        return int(token[2:])
    return None


def probe(network: BuiltNetwork, path: str) -> Probe:
    tokens = path.split(".")
    start = next((i for i, t in enumerate(tokens[:2]) if _ELEMENT.match(t)), None)
    if start is None:
        raise _unknown(path, "no population element such as pop[0] in it")
    match = _ELEMENT.match(tokens[start])
    assert match is not None
    population, index = match.group("pop"), int(match.group("index"))
    if population not in network.cells:
        raise _unknown(path, f"the network has no population {population!r} of cells")
    cell = network.cell(population, index)
    rest = tokens[start + 1 :]
    segment = cell.root
    if len(rest) > 1:
        found = _segment_of(cell, rest[0])
        if found is not None:
            segment, rest = found, rest[1:]
    if rest == ["v"]:
        return Probe(path, cell.location(segment)._ref_v, 1e-3, "V")
    if rest == ["spiking"]:
        threshold = cell.threshold.get(segment, 0.0)
        return Probe(path, cell.location(segment)._ref_v, 1.0, "", threshold)
    if len(rest) >= 3 and rest[-1] in _DENSITY:
        return _density_probe(cell, path, rest[-2], segment, rest[-1])
    if len(rest) >= 4 and rest[-1] == "q":
        density_id, gate = rest[-4], rest[-2]
        where = cell.densities.get(density_id)
        if where is None:
            raise _unknown(path, f"cell {cell.cell_id!r} has no channel density {density_id!r}")
        mechanism, segments = where
        if segment not in segments:
            segment = segments[0]
        point = getattr(cell.location(segment), mechanism.name)
        try:
            pointer = getattr(point, f"_ref_{mechanism.gate_state(gate)}")
        except AttributeError:
            raise _unknown(path, f"channel {mechanism.name!r} has no gate {gate!r}") from None
        return Probe(path, pointer, 1.0, "")
    raise _unknown(path, f"{'.'.join(rest)!r} is not a recordable quantity")
