"""Meshes: Wavefront OBJ and Collada files, each one VisualType holding the file's text.

One mesh is one VisualType whose default value is the mesh (an ``OBJ`` or ``Collada`` value),
as the Java ``objModelInterpreterService`` and ``colladaModelInterpreterService`` built them:
the 0.3.8 client crashes on an OBJ variable inside a CompositeVisualType, and neither client
merges two meshes in one. The text goes to the browser as is, so it is checked here first:

- OBJ against what the 0.3.8 client's OBJLoader accepts (it throws on any other line, e.g.
  ``vp`` or a bare ``s``), with face indices within the vertices defined so far;
- Collada as XML read without a DOCTYPE (no entities), whose root is ``<COLLADA>``.

Both refuse files over `max_bytes` (64 MiB by default): the text is sent in one message.
"""

from __future__ import annotations

import re
from pathlib import Path

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.onefile import one_type_model
from geppetto_dev.interpreters.xmldoc import parse_xml
from geppetto_dev.model import OBJ, Collada, GeppettoLibrary, GeppettoModel, VisualType

__all__ = [
    "MESH_MAX_BYTES",
    "ColladaInterpreter",
    "ObjInterpreter",
    "check_collada",
    "check_obj",
]

MESH_MAX_BYTES = 64 * 1024 * 1024

_SMOOTH = re.compile(r"s\s+(\d+|on|off)")
_INDEX = re.compile(r"-?\d+")
# The face forms the 0.3.8 OBJLoader knows: v, v/vt, v/vt/vn, v//vn (one form per face).
_FACE_FORMS = (
    re.compile(r"-?\d+"),
    re.compile(r"-?\d+/-?\d+"),
    re.compile(r"-?\d+/-?\d+/-?\d+"),
    re.compile(r"-?\d+//-?\d+"),
)


def _read_text(source: ModelFile, max_bytes: int, what: str) -> str:
    size = source.path.stat().st_size
    if size > max_bytes:
        raise InterpreterError(
            source.path,
            f"{what} of {size} bytes is over the {max_bytes}-byte limit for meshes",
            hint="simplify the mesh (fewer faces) or raise max_bytes of its interpreter",
        )
    data = source.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InterpreterError(source.path, f"is not UTF-8 text ({e.reason})", line=line) from None


def _floats(parts: list[str], count: int, what: str, path: Path | str, line: int) -> None:
    if len(parts) < count:
        raise InterpreterError(path, f"{what} needs {count} numbers, found {len(parts)}", line=line)
    for p in parts[:count]:
        try:
            float(p)
        except ValueError:
            raise InterpreterError(path, f"{what}: {p!r} is not a number", line=line) from None


def _check_index(token: str, count: int, what: str, path: Path | str, line: int) -> None:
    i = int(token)
    if i == 0 or i > count or -i > count:
        raise InterpreterError(
            path, f"face names {what} {i}, but {count} are defined above it", line=line
        )


def _face(parts: list[str], counts: tuple[int, int, int], path: Path | str, line: int) -> None:
    if len(parts) < 3:
        raise InterpreterError(path, f"a face needs 3 vertices, found {len(parts)}", line=line)
    form = next((f for f in _FACE_FORMS if f.fullmatch(parts[0])), None)
    if form is None or not all(form.fullmatch(p) for p in parts):
        raise InterpreterError(
            path, "a face is v, v/vt, v/vt/vn or v//vn, the same form for each vertex", line=line
        )
    names = ("vertex", "texture coordinate", "normal")
    for p in parts:
        for k, token in enumerate(p.split("/")):
            if token:
                _check_index(token, counts[k], names[k], path, line)


def check_obj(text: str, path: Path | str = "<obj>") -> int:
    """Check OBJ text line by line; returns the number of vertices."""
    vertices = normals = uvs = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.lstrip().rstrip("\r")
        if not line or line[0] == "#" or line == "\0":
            continue
        key, *parts = line.split()
        if key == "v" and line[1] == " ":
            _floats(parts, 3, "a vertex", path, number)
            vertices += 1
        elif key == "vn":
            _floats(parts, 3, "a normal", path, number)
            normals += 1
        elif key == "vt":
            _floats(parts, 2, "a texture coordinate", path, number)
            uvs += 1
        elif key == "f":
            _face(parts, (vertices, uvs, normals), path, number)
        elif key == "l":
            for p in parts:
                token = p.split("/")[0]
                if not _INDEX.fullmatch(token):
                    raise InterpreterError(path, f"a line names vertex {p!r}", line=number)
                _check_index(token, vertices, "vertex", path, number)
        elif not (line[0] in "og" or key in ("usemtl", "mtllib") or _SMOOTH.match(line)):
            raise InterpreterError(
                path,
                f"{line[:40]!r} is not a statement the Geppetto 0.3.8 client's OBJ loader reads "
                "(it stops at it): v, vn, vt, f, l, o, g, s, usemtl, mtllib",
                line=number,
            )
    if not vertices:
        raise InterpreterError(path, "holds no vertices ('v x y z' lines)")
    return vertices


def check_collada(text: str, path: Path | str = "<dae>") -> None:
    root = parse_xml(text.encode("utf-8"), path)
    if root.name != "COLLADA":
        raise InterpreterError(path, f"the root element is <{root.name}>, not <COLLADA>")


class ObjInterpreter:
    """``objModelInterpreter``: a Wavefront OBJ file as one VisualType with an OBJ value.

    Java projects also name it ``objModelInterpreterService`` (the registry accepts both).
    """

    id = "objModelInterpreter"
    extensions: tuple[str, ...] = (".obj",)

    def __init__(self, *, max_bytes: int = MESH_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def import_type(self, source: ModelFile, type_id: str, library: GeppettoLibrary) -> VisualType:
        text = _read_text(source, self.max_bytes, "an OBJ file")
        check_obj(text, source.path)
        return library.add(VisualType(type_id, type_id, default_value=OBJ(text)))

    def read_model(self, source: ModelFile) -> GeppettoModel:
        return one_type_model(self, source, "obj", "OBJ")


class ColladaInterpreter:
    """``colladaModelInterpreter``: a Collada (.dae) file as one VisualType with a Collada
    value."""

    id = "colladaModelInterpreter"
    extensions: tuple[str, ...] = (".dae",)

    def __init__(self, *, max_bytes: int = MESH_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def import_type(self, source: ModelFile, type_id: str, library: GeppettoLibrary) -> VisualType:
        text = _read_text(source, self.max_bytes, "a Collada file")
        check_collada(text, source.path)
        return library.add(VisualType(type_id, type_id, default_value=Collada(text)))

    def read_model(self, source: ModelFile) -> GeppettoModel:
        return one_type_model(self, source, "collada", "Collada")
