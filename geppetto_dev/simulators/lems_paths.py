"""A LEMS simulation's settings, and Geppetto paths to and from LEMS quantities.

`read_lems_run` gives what a `<Simulation>` asks for (target network, length, step, the
quantities it records); the path functions follow the Java server's LEMSConversionService:
`net.pop[i].v` <-> `pop[i]/v`, a gate `net.pop[i].bio.membraneProperties.naChans.na.m.q` <->
`pop[i]/bio/membraneProperties/naChans/na/m/q`, a populationList cell `pop/i/<cell>/v`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from geppetto_dev.interpreters.base import ModelFile
from geppetto_dev.interpreters.neuroml import units
from geppetto_dev.interpreters.xmlsafe import read_xml
from geppetto_dev.simulators.job import SimulationError, SimulationJob

__all__ = ["LemsRun", "from_lems", "read_lems_run", "run_with_jneuroml", "to_lems"]

_LIST_CELL = re.compile(r"^(?P<pop>[^/\[\]]+)/(?P<index>\d+)/[^/]+(?P<rest>(/.*)?)$")
_ELEMENT = re.compile(r"^(?P<pop>[^/\[\]]+)\[(?P<index>\d+)\](?P<rest>(/.*)?)$")


@dataclass(frozen=True)
class LemsRun:
    """What a LEMS `<Simulation>` asks for; SI seconds."""

    target: str = ""
    length: float | None = None
    step: float | None = None
    quantities: tuple[str, ...] = ()
    file: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def watched(self, network: str) -> tuple[str, ...]:
        return tuple(from_lems(network, q) for q in self.quantities)


def read_lems_run(source: ModelFile) -> LemsRun | None:
    """The simulation a LEMS file's `<Target>` names; None for a NeuroML file."""
    root, _ = read_xml(source)
    if _local(root.tag) != "Lems":
        return None
    target = next((el for el in root if _local(el.tag) == "Target"), None)
    component = target.get("component") if target is not None else None
    simulation: ET.Element | None = None
    for el in root.iter():
        if _local(el.tag) == "Simulation" and (component is None or el.get("id") == component):
            simulation = el
            break
    if simulation is None:
        return LemsRun(file=str(source.path))
    # What the file saves (OutputColumns); else what it plots (Lines).
    quantities: list[str] = []
    for tag in ("OutputColumn", "Line"):
        for el in simulation.iter():
            quantity = el.get("quantity")
            if _local(el.tag) == tag and quantity and quantity not in quantities:
                quantities.append(quantity)
        if quantities:
            break
    length, step = simulation.get("length"), simulation.get("step")
    return LemsRun(
        target=simulation.get("target") or "",
        length=units.si(length, "time") if length else None,
        step=units.si(step, "time") if step else None,
        quantities=tuple(quantities),
        file=str(source.path),
    )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def from_lems(network: str, quantity: str) -> str:
    """`hhpop[0]/v` -> `net.hhpop[0].v`; `pop/3/Cell/v` -> `net.pop[3].v`."""
    match = _ELEMENT.match(quantity) or _LIST_CELL.match(quantity)
    if match is None:
        raise SimulationError(
            f"cannot map the LEMS quantity {quantity!r} to a Geppetto path",
            "record pop[i]/..., or pop/i/<cell>/...",
        )
    rest = match.group("rest").strip("/").replace("/", ".")
    return f"{network}.{match.group('pop')}[{match.group('index')}]" + (f".{rest}" if rest else "")


def to_lems(path: str) -> str:
    """`net.hhpop[0].v` -> `hhpop[0]/v` (the first name is the instance, dropped)."""
    tokens = path.split(".")
    start = next((i for i, t in enumerate(tokens[:2]) if re.match(r"^[^\[\]]+\[\d+\]$", t)), None)
    if start is None:
        raise SimulationError(f"cannot map {path!r} to a LEMS quantity", "watch pop[i].<...>")
    return "/".join(tokens[start:])


def run_with_jneuroml(job: SimulationJob) -> dict[str, Any]:
    """A job run by jNeuroML: a LEMS file, with the job's settings where it gives them."""
    from geppetto_dev.model import TimeSeries
    from geppetto_dev.simulators.jneuroml import run_lems

    source = ModelFile.open(job.model, job.root or None)
    lems = read_lems_run(source)
    if lems is None:
        raise SimulationError(
            f"{job.model} is not a LEMS simulation file",
            "jneuromlSimulator runs LEMS files (LEMS_*.xml); use neuronSimulator for NeuroML",
        )
    network = job.target or lems.target
    watched = job.watched or lems.watched(network)
    quantities = [to_lems(p) for p in watched]
    columns = run_lems(source.path, quantities, step=job.timestep, length=job.length)
    results: dict[str, Any] = {"time": TimeSeries(columns["time"], "s")}
    for path, quantity in zip(watched, quantities):
        unit = "V" if path.endswith(".v") else None
        results[path] = TimeSeries(columns[quantity], unit)
    return results
