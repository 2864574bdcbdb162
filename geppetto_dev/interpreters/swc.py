"""SWC morphologies (NeuroMorpho.org, neuPrint, navis): points with a parent, drawn as the Java
``swcModelInterpreter`` drew them.

Each line is ``id type x y z radius parent`` (coordinates and radius in um; parent -1 for a
root). Every point with a parent becomes a Cylinder from the point to its parent, variable
``swcPoint<id>``; a root of type 1 (soma) becomes a Sphere; a root of another type draws
nothing itself. As in Java, ``NA`` reads as -1 and a radius that is not positive as 1.
Unlike Java, which skipped what it could not read, a malformed line, a point defined twice, an
unknown parent or a cycle is an error naming the line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.onefile import one_type_model
from geppetto_dev.interpreters.text import decode_text
from geppetto_dev.model import (
    CompositeVisualType,
    Cylinder,
    GeppettoLibrary,
    GeppettoModel,
    Sphere,
    Variable,
    common,
)

__all__ = [
    "POINT_TYPES",
    "SwcInterpreter",
    "SwcPoint",
    "parse_swc",
    "swc_visual_type",
]

POINT_TYPES = {
    0: "undefined",
    1: "soma",
    2: "axon",
    3: "basal dendrite",
    4: "apical dendrite",
    5: "custom (fork point in navis)",
    6: "custom (end point in navis)",
    7: "custom",
}
_COLUMNS = ("id", "type", "x", "y", "z", "radius", "parent")


class SwcPoint(NamedTuple):
    id: int
    type: int
    x: float
    y: float
    z: float
    radius: float
    parent: int  # -1 for a root
    line: int

    @property
    def position(self) -> tuple[float, float, float]:
        return (self.x, self.y, self.z)


def _number(token: str, column: int, path: Path | str, line: int) -> float:
    if token == "NA":
        return -1.0
    try:
        value = float(token)
    except ValueError:
        raise InterpreterError(
            path, f"{_COLUMNS[column]} {token!r} is not a number", line=line
        ) from None
    if not math.isfinite(value):
        raise InterpreterError(path, f"{_COLUMNS[column]} {token!r} is not finite", line=line)
    if column in (0, 1, 6) and not value.is_integer():
        raise InterpreterError(
            path, f"{_COLUMNS[column]} {token!r} is not a whole number", line=line
        )
    return value


def _values(tokens: list[str], path: Path | str, line: int) -> list[float]:
    """The seven numbers of a line: the plain case in one pass, the rest checked one by one."""
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        values = []
    if values and math.isfinite(sum(values)):
        a, b, *_, g = values
        if a.is_integer() and b.is_integer() and g.is_integer():
            return values
    return [_number(t, i, path, line) for i, t in enumerate(tokens)]


def parse_swc(text: str, path: Path | str = "<swc>") -> list[SwcPoint]:
    """The points in file order, every parent checked to exist and no cycle."""
    points: list[SwcPoint] = []
    by_id: dict[int, SwcPoint] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if "#" in raw:
            raw = raw.split("#", 1)[0]
        tokens = raw.replace(",", " ").split()
        if not tokens:
            continue
        if len(tokens) != 7:
            raise InterpreterError(
                path,
                f"expected 7 values (id type x y z radius parent), found {len(tokens)}",
                line=number,
            )
        i, t, x, y, z, r, parent = _values(tokens, path, number)
        pid = int(i)
        point = SwcPoint(pid, int(t), x, y, z, r if r > 0 else 1.0, int(parent), number)
        first = by_id.get(pid)
        if first is not None:
            raise InterpreterError(
                path, f"point {pid} is defined twice (first on line {first.line})", line=number
            )
        by_id[pid] = point
        points.append(point)
    if not points:
        raise InterpreterError(path, "holds no SWC points (lines: id type x y z radius parent)")
    for p in points:
        if p.parent >= 0 and p.parent not in by_id:
            raise InterpreterError(
                path, f"point {p.id} names parent {p.parent}, which is not in the file", line=p.line
            )
    _check_acyclic(points, by_id, path)
    return points


def _check_acyclic(
    points: Sequence[SwcPoint], by_id: dict[int, SwcPoint], path: Path | str
) -> None:
    done: set[int] = set()
    for start in points:
        chain: list[int] = []
        on_chain: set[int] = set()
        pid = start.id
        while pid >= 0 and pid not in done:
            if pid in on_chain:
                loop = [*chain[chain.index(pid) :], pid]
                raise InterpreterError(
                    path,
                    "points " + " -> ".join(map(str, loop)) + " form a cycle (no root)",
                    line=by_id[pid].line,
                )
            chain.append(pid)
            on_chain.add(pid)
            pid = by_id[pid].parent
        done.update(chain)


def swc_visual_type(
    type_id: str, points: Sequence[SwcPoint], *, scale: float = 1.0, center: bool = False
) -> CompositeVisualType:
    """The morphology as the Java interpreter built it; `scale` multiplies coordinates and radii
    (0.008 turns 8 nm voxels into um); `center` moves the first root to the origin."""
    by_id = {p.id: p for p in points}
    origin = (0.0, 0.0, 0.0)
    if center:
        root = next((p for p in points if p.parent < 0 and p.type == 1), None)
        root = root or next(p for p in points if p.parent < 0)
        origin = root.position
    ox, oy, oz = origin

    def at(p: SwcPoint) -> tuple[float, float, float]:
        return ((p.x - ox) * scale, (p.y - oy) * scale, (p.z - oz) * scale)

    visual = common.VISUAL
    variables: list[Variable] = []
    for p in points:
        if p.parent >= 0:
            parent = by_id[p.parent]
            value: Sphere | Cylinder = Cylinder(
                p.radius * scale, parent.radius * scale, at(p), at(parent)
            )
        elif p.type == 1:
            value = Sphere(p.radius * scale, at(p))
        else:
            continue
        variables.append(Variable(f"swcPoint{p.id}", visual, f"SWC Segment {p.id}", value))
    return CompositeVisualType(type_id, type_id, variables)


class SwcInterpreter:
    """``swcModelInterpreter``: an SWC file as one CompositeVisualType."""

    id = "swcModelInterpreter"
    extensions: tuple[str, ...] = (".swc",)

    def __init__(self, *, scale: float = 1.0, center: bool = False) -> None:
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"scale must be a positive number, got {scale!r}")
        self.scale = scale
        self.center = center

    def import_type(
        self, source: ModelFile, type_id: str, library: GeppettoLibrary
    ) -> CompositeVisualType:
        points = parse_swc(decode_text(source.read_bytes()), source.path)
        return library.add(swc_visual_type(type_id, points, scale=self.scale, center=self.center))

    def read_model(self, source: ModelFile) -> GeppettoModel:
        return one_type_model(self, source, "swc", "SWC")
