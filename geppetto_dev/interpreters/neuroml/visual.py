"""What a NeuroML cell looks like in Geppetto: one Sphere or Cylinder per segment.

The ids and shapes are the Java server's (ExtractVisualType), because clients, saved projects
and experiment scripts address segments by them: `<segment name>_<segment id>` (`vo<id>` when
unnamed) through `parse_id`, a Sphere where a segment's two ends are the same point, a Cylinder
from proximal to distal otherwise.
"""

from __future__ import annotations

import re

from geppetto_dev.interpreters.neuroml.document import Cell, Morphology, Segment
from geppetto_dev.model import CompositeVisualType, Cylinder, Sphere, Variable, common

__all__ = [
    "MORPHOLOGY_SPHERE",
    "SPHERE_RADIUS",
    "morphology_type",
    "parse_id",
    "segment_ids",
    "sphere_type",
    "visual_id",
]

# Java's ModelInterpreterUtils.forbiddenCharacters: what a Geppetto id may not contain.
_FORBIDDEN = re.compile(r"[&/\\#,+()$~%.'\":*?<>{}\s]")
MORPHOLOGY_SPHERE = "morphology_sphere"
SPHERE_RADIUS = 1.2  # what Java drew for a cell without a morphology


def parse_id(text: str) -> str:
    """Java's parseId: forbidden characters become `_`, and a leading digit gets `id`."""
    out = _FORBIDDEN.sub("_", text)
    return "id" + out if out[:1].isdigit() else out


def visual_id(segment: Segment) -> str:
    """`Soma_0`, or `vo3` for an unnamed segment 3: the id of its visual and compartment."""
    return parse_id(f"{segment.name}_{segment.id}" if segment.name else f"vo{segment.id}")


def segment_ids(morphology: Morphology) -> list[str]:
    """`visual_id` of every segment, in file order (names repeat: each is cleaned once)."""
    clean: dict[str | None, str] = {}
    out = []
    for s in morphology.segments:
        name = s.name
        prefix = clean.get(name)
        if prefix is None:
            prefix = clean[name] = _FORBIDDEN.sub("_", name) + "_" if name else "vo"
        vid = f"{prefix}{s.id}"
        out.append("id" + vid if vid[0].isdigit() else vid)
    return out


def morphology_type(
    cell: Cell, morphology: Morphology, ids: list[str] | None = None
) -> CompositeVisualType:
    """`<cellId>__<morphologyId>`: every segment when the morphology has no groups, else the
    segments of the groups that list `<member>`s (with what they include), as Java drew them.
    `ids` are the segments' visual ids when the caller has them already.

    Java took the parent's distal only when the parent came earlier in the file; here a parent
    anywhere in the morphology counts (NeuroML allows either order).
    """
    segments = morphology.segments
    ids = ids if ids is not None else segment_ids(morphology)
    by_id = {s.id: s for s in segments}
    visual = common.VISUAL
    shapes: dict[int, Variable] = {}
    for s, vid in zip(segments, ids, strict=True):
        d = s.distal
        p = s.proximal
        if p is None:
            parent = by_id.get(s.parent) if s.parent is not None else None
            # A root without a proximal point (invalid NeuroML) is a sphere at its distal end.
            p = d if parent is None else parent.distal
        value: Sphere | Cylinder
        if p.x == d.x and p.y == d.y and p.z == d.z and p.diameter == d.diameter:
            value = Sphere(p.diameter / 2, (p.x, p.y, p.z))
        else:
            value = Cylinder(p.diameter / 2, d.diameter / 2, (p.x, p.y, p.z), (d.x, d.y, d.z))
        shapes[s.id] = Variable(vid, visual, vid, value)
    if not morphology.segment_groups:
        variables = list(shapes.values())
    else:
        drawn: dict[int, None] = {}  # an ordered set: a segment in two groups is drawn once
        for group in morphology.segment_groups:
            if group.members:
                drawn.update(dict.fromkeys(morphology.group_segments(group.id)))
        variables = [shapes[s] for s in drawn if s in shapes]
    type_id = parse_id(f"{cell.id}__{morphology.id}")
    return CompositeVisualType(type_id, type_id, variables)


def sphere_type(first_component: str) -> CompositeVisualType:
    """The shared visual of cells without morphology; its one sphere is named, as in Java,
    after the first such component met."""
    vid = parse_id(first_component)
    sphere = Variable(vid, common.VISUAL, vid, Sphere(SPHERE_RADIUS, (0.0, 0.0, 0.0)))
    return CompositeVisualType(MORPHOLOGY_SPHERE, MORPHOLOGY_SPHERE, [sphere])
