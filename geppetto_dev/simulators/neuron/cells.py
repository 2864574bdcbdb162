"""NeuroML cells as NEURON sections: one section per segment, with its 3-D points.

A section per segment keeps NeuroML's segment ids as the unit of recording (`Soma_0.v` is
the middle of segment 0's section) and lets every segment group map to a set of sections.
A segment whose proximal and distal points are equal is a sphere: a cylinder as long as it
is wide has the same membrane area, which is how NEURON (and jNeuroML's export) draws a soma.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from geppetto_dev.interpreters.neuroml import units
from geppetto_dev.interpreters.neuroml.document import Cell, ValueAcross
from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.simulators.neuron.mechanisms import Mechanism, insert_density

__all__ = ["BuiltCell", "build_cell"]

# NeuroML's defaults where a cell leaves a property out (jNeuroML's values).
DEFAULT_CM = 1.0  # uF/cm2
DEFAULT_RA = 30.0  # ohm cm
DEFAULT_V0 = -65.0  # mV
DEFAULT_THRESHOLD = 0.0  # mV


@dataclass
class BuiltCell:
    """One cell in NEURON: its sections by segment id and what recordings need."""

    cell_id: str
    sections: dict[int, Any]
    # Channel density id -> its mechanism and the segments it is inserted in.
    densities: dict[str, tuple[Mechanism, list[int]]] = field(default_factory=dict)
    threshold: dict[int, float] = field(default_factory=dict)  # mV, per segment
    v0: dict[int, float] = field(default_factory=dict)  # mV, per segment
    root: int = 0

    def location(self, segment: int, fraction: float = 0.5) -> Any:
        """NEURON's `sec(x)` for a point of a segment."""
        try:
            return self.sections[segment](fraction)
        except KeyError:
            raise SimulationError(
                f"cell {self.cell_id!r} has no segment {segment}",
                "name a segment id of its morphology",
            ) from None


def _apply(
    values: list[ValueAcross],
    groups: Callable[[str], list[int]],
    dimension: str,
    scale: float,
    default: float,
) -> dict[int, float]:
    out = {seg: default for seg in groups("all")}
    for item in values:
        value = units.si(item.value, dimension) * scale
        for seg in groups(item.segment_group):
            out[seg] = value
    return out


def build_cell(h: Any, cell: Cell, label: str, mechanisms: dict[str, Mechanism]) -> BuiltCell:
    """Sections for `cell` (named after `label`); `mechanisms` are the channels defined so far."""
    morphology = cell.morphology
    if morphology is None or not morphology.segments:
        raise SimulationError(
            f"cell {cell.id!r} has no morphology", "give it at least one <segment>"
        )
    sections: dict[int, Any] = {}
    for segment in morphology.segments:
        sec = h.Section(name=f"{label}_{segment.name or 'seg'}_{segment.id}")
        proximal = morphology.proximal(segment)
        distal = segment.distal
        if (
            proximal is None
            or proximal.same(distal)
            or ((proximal.x, proximal.y, proximal.z) == (distal.x, distal.y, distal.z))
        ):
            diameter = distal.diameter
            sec.L = diameter
            sec.diam = diameter
        else:
            sec.pt3dadd(proximal.x, proximal.y, proximal.z, proximal.diameter)
            sec.pt3dadd(distal.x, distal.y, distal.z, distal.diameter)
        sections[segment.id] = sec
    root = morphology.segments[0].id
    for segment in morphology.segments:
        if segment.parent is None:
            continue
        parent = sections.get(segment.parent)
        if parent is None:
            raise SimulationError(
                f"cell {cell.id!r}: segment {segment.id} names a missing parent {segment.parent}",
                "fix the segment's <parent segment=...>",
            )
        sections[segment.id].connect(parent(segment.fraction_along), 0)

    built = BuiltCell(cell.id, sections, root=root)
    membrane = cell.biophysics.membrane if cell.biophysics else None
    intracellular = cell.biophysics.intracellular if cell.biophysics else None

    def groups(group: str) -> list[int]:
        return morphology.group_segments(group)

    cm = _apply(
        membrane.specific_capacitance if membrane else [],
        groups,
        "specificCapacitance",
        100.0,
        DEFAULT_CM,
    )
    ra = _apply(
        intracellular.resistivity if intracellular else [],
        groups,
        "resistivity",
        100.0,
        DEFAULT_RA,
    )
    built.v0 = _apply(
        membrane.init_memb_potential if membrane else [], groups, "voltage", 1e3, DEFAULT_V0
    )
    built.threshold = _apply(
        membrane.spike_thresh if membrane else [], groups, "voltage", 1e3, DEFAULT_THRESHOLD
    )
    for seg, sec in sections.items():
        sec.cm = cm.get(seg, DEFAULT_CM)
        sec.Ra = ra.get(seg, DEFAULT_RA)

    for density in membrane.channel_densities if membrane else []:
        if density.type != "channelDensity":
            raise SimulationError(
                f"cell {cell.id!r}: channel density {density.id!r} is a {density.type}",
                "NEURON here runs plain <channelDensity> (fixed reversal potential); "
                "use the jneuromlSimulator for this cell",
            )
        mechanism = mechanisms.get(density.ion_channel)
        if mechanism is None:
            raise SimulationError(
                f"cell {cell.id!r}: channel density {density.id!r} names the ion channel "
                f"{density.ion_channel!r}, which the model does not define",
                "include the file that defines it",
            )
        g = units.si(density.cond_density or "0 S_per_m2", "conductanceDensity") * 1e-4
        erev = units.si(density.erev or "0 mV", "voltage") * 1e3
        targets = (
            [density.segment] if density.segment is not None else groups(density.segment_group)
        )
        for seg in targets:
            insert_density(sections[seg], mechanism, g, erev)
        built.densities[density.id] = (mechanism, list(targets))
    return built
