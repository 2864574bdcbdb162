"""A cell's morphology: segments (frusta in um) and the named groups they form."""

from __future__ import annotations

from dataclasses import dataclass, field

from geppetto_dev.interpreters.neuroml.component import Component

__all__ = ["Morphology", "Point3D", "Segment", "SegmentGroup"]


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
            for start, end in group.paths + group.sub_trees:
                out |= _path(self, start, end, children)
        return out


def _path(
    morph: Morphology,
    start: int | None,
    end: int | None,
    children: dict[int, list[int]],
) -> set[int]:
    """Segments from `start` to `end` (walking up from `end`; from the root when no start),
    or `start` and everything distal to it when no end."""
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
