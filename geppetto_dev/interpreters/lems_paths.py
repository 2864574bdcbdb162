"""LEMS quantities and Geppetto paths, both ways (Java's LEMSConversionService rules).

A LEMS simulation names what it records relative to its target network: `hhpop[0]/v`,
`pop0/1/MultiCompCell/v` (a cell of a populationList), `pop0/1/MultiCompCell/3/v` (segment 3).
Geppetto names the same variable by an instance path from the top-level variable:
`net1.hhpop[0].v`, `net.pop0[1].Soma_0.v`, with compartments named like their segments'
visuals. A simulator records by the first and reports by the second.
"""

from __future__ import annotations

from geppetto_dev.interpreters.neuroml.document import NeuroMLDocument, Population
from geppetto_dev.interpreters.neuroml.visual import parse_id, segment_ids

__all__ = ["PathError", "geppetto_path_of", "lems_quantity_of"]


class PathError(ValueError):
    """A quantity or path that names no population or cell of the network."""


def _population(doc: NeuroMLDocument, network: str, pop_id: str) -> Population:
    net = doc.networks.get(network)
    if net is None:
        raise PathError(f"no network {network!r}")
    for pop in net.populations:
        if pop.id == pop_id or parse_id(pop.id) == pop_id:
            return pop
    raise PathError(f"network {network!r} has no population {pop_id!r}")


def _segments(doc: NeuroMLDocument, pop: Population) -> tuple[list[int], list[str]]:
    """Segment ids and their compartment ids, for cells of several segments (else empty)."""
    cell = doc.cells.get(pop.component)
    morph = cell.morphology if cell is not None else None
    if morph is None or len(morph.segments) < 2:
        return [], []
    return [s.id for s in morph.segments], segment_ids(morph)


def geppetto_path_of(
    quantity: str, doc: NeuroMLDocument, network: str, root: str | None = None
) -> str:
    """`hhpop[0]/v` -> `net1.hhpop[0].v`; `pop0/1/MultiCompCell/3/v` -> `...pop0[1].Dendrite2b_3.v`.

    `root` is the top-level variable's id (the network's id by default). A multi-compartment
    cell's `v` without a segment is its first segment's, as jNeuroML records it.
    """
    root = root or parse_id(network)
    if quantity.strip() == "t":
        return "time"
    parts = [p for p in quantity.strip().split("/") if p]
    if not parts:
        raise PathError(f"empty LEMS quantity {quantity!r}")
    try:
        if "[" in parts[0]:
            pop_id, _, index_text = parts[0].partition("[")
            index = int(index_text.rstrip("]"))
            tail = parts[1:]
        else:
            if len(parts) < 3:
                raise IndexError
            pop_id, index, tail = parts[0], int(parts[1]), parts[3:]
    except (ValueError, IndexError):
        raise PathError(
            f"{quantity!r} is not a LEMS quantity of a cell (pop[i]/... or pop/i/cell/...)"
        ) from None
    pop = _population(doc, network, pop_id)
    seg_ids, compartments = _segments(doc, pop)
    head = [root, f"{parse_id(pop.id)}[{index}]"]
    if tail and tail[0].isdigit():
        segment = int(tail.pop(0))
        if compartments:
            if segment not in seg_ids:
                raise PathError(f"{quantity!r}: cell {pop.component!r} has no segment {segment}")
            head.append(compartments[seg_ids.index(segment)])
    elif compartments and tail and tail[0] in ("v", "spiking", "caConc", "caConcExt"):
        head.append(compartments[0])
    return ".".join(head + [parse_id(p) for p in tail])


def lems_quantity_of(path: str, doc: NeuroMLDocument, network: str) -> str:
    """`net1.hhpop[0].v` -> `hhpop[0]/v`; a populationList's cell -> `pop0/1/MultiCompCell/v`;
    a compartment `...pop0[1].Soma_0.v` -> `pop0/1/MultiCompCell/0/v`."""
    if path == "time":
        return "t"
    parts = path.split(".")
    if len(parts) < 3 or "[" not in parts[1]:
        raise PathError(f"{path!r} is not a path to a cell's variable (net.pop[i].variable)")
    pop_id, _, index_text = parts[1].partition("[")
    try:
        index = int(index_text.rstrip("]"))
    except ValueError:
        raise PathError(f"{path!r}: {parts[1]!r} has no cell index") from None
    pop = _population(doc, network, pop_id)
    tail = parts[2:]
    seg_ids, compartments = _segments(doc, pop)
    segment: list[str] = []
    if compartments and tail[0] in compartments:
        segment = [str(seg_ids[compartments.index(tail[0])])]
        tail = tail[1:]
    elif compartments and tail[0].rpartition("_")[2].isdigit():
        segment = [tail[0].rpartition("_")[2]]  # Java's rule: the text after the last `_`
        tail = tail[1:]
    if pop.type == "populationList":
        head = [pop.id, str(index), pop.component]
    else:
        head = [f"{pop.id}[{index}]"]
    return "/".join(head + segment + tail)
