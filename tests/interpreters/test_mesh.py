"""OBJ and Collada meshes: one VisualType per mesh holding the file's text, checked before it
goes to a browser; Collada read without entities."""

from __future__ import annotations

from pathlib import Path

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters import (
    ColladaInterpreter,
    InterpreterError,
    ModelFile,
    ObjInterpreter,
    default_interpreters,
)
from tests.interpreters.checks import client_view
from tests.interpreters.conftest import DATA

CUBE = DATA / "cube_tristrips.dae"


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_hemibrain_neuron_mesh_is_one_visual_type(navis_obj: Path) -> None:
    m = default_interpreters().read_model(navis_obj)
    (var,) = m.variables
    mesh = var.type
    # A VisualType, not a variable inside a CompositeVisualType (which crashes the 0.3.8 client).
    assert type(mesh) is gm.VisualType and mesh.id == "id722817260"
    assert isinstance(mesh.default_value, gm.OBJ)
    assert mesh.default_value.obj == navis_obj.read_text()
    raw, _, n = client_view(m)
    assert n == 1
    assert raw["libraries"][1]["types"][0]["defaultValue"]["eClass"] == "OBJ"


def test_neuropil_volume(navis_volume: Path) -> None:
    lib = gm.GeppettoLibrary("obj")
    t = ObjInterpreter().import_type(ModelFile.open(navis_volume), "lh", lib)
    assert lib.types == [t] and isinstance(t.default_value, gm.OBJ)  # type: ignore[attr-defined]


def test_collada_from_pycollada(tmp_path: Path) -> None:
    m = default_interpreters().read_model(CUBE)
    mesh = m.variables[0].type
    assert type(mesh) is gm.VisualType and mesh.id == "cube_tristrips"
    assert isinstance(mesh.default_value, gm.Collada)
    assert mesh.default_value.collada == CUBE.read_text()
    raw, _, _ = client_view(m)
    assert raw["libraries"][1]["types"][0]["defaultValue"]["eClass"] == "Collada"


def test_collada_in_an_xml_file_is_found_by_its_root(tmp_path: Path) -> None:
    path = tmp_path / "cube.xml"
    path.write_bytes(CUBE.read_bytes())
    mesh = default_interpreters().read_model(path).variables[0].type
    assert isinstance(mesh, gm.VisualType) and isinstance(mesh.default_value, gm.Collada)


OBJ_OK = """# a quad and a triangle, in the forms the 0.3.8 loader knows
mtllib box.mtl
o box
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
vt 0 0
vn 0 0 1
g side
usemtl red
s off
f 1 2 3 4
f 1/1 2/1 3/1
f 1/1/1 2/1/1 -1/1/1
f 1//1 2//1 3//1
l 1 2
"""


def test_every_statement_the_client_reads(tmp_path: Path) -> None:
    t = ObjInterpreter().import_type(
        ModelFile.open(write(tmp_path, OBJ_OK, "box.obj")), "box", gm.GeppettoLibrary("o")
    )
    assert t.default_value.obj == OBJ_OK  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("vp 0.5 0.5", "not a statement the Geppetto 0.3.8 client's OBJ loader reads"),
        ("s", "not a statement"),
        ("v 1 2", "a vertex needs 3 numbers, found 2"),
        ("v 1 2 x", "a vertex: 'x' is not a number"),
        ("vt 1", "a texture coordinate needs 2 numbers"),
        ("f 1 2", "a face needs 3 vertices"),
        ("f 1 2 9", "face names vertex 9, but 4 are defined above it"),
        ("f 1 2 -5", "face names vertex -5"),
        ("f 0 1 2", "face names vertex 0"),
        ("f 1/1 2 3", "the same form for each vertex"),
        ("f 1/2 2/2 3/2", "face names texture coordinate 2, but 1 are defined"),
    ],
)
def test_bad_obj_lines_are_named(tmp_path: Path, line: str, says: str) -> None:
    text = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\n" + line + "\n"
    path = write(tmp_path, text, "bad.obj")
    with pytest.raises(InterpreterError) as e:
        default_interpreters().read_model(path)
    assert e.value.line == 6
    assert says in e.value.reason


def test_obj_without_vertices_or_not_text(tmp_path: Path) -> None:
    with pytest.raises(InterpreterError, match="holds no vertices"):
        default_interpreters().read_model(write(tmp_path, "# nothing\n", "empty.obj"))
    path = tmp_path / "latin.obj"
    path.write_bytes(b"v 0 0 0\n# caf\xe9\n")
    with pytest.raises(InterpreterError, match="is not UTF-8") as e:
        default_interpreters().read_model(path)
    assert e.value.line == 2


def test_size_limit(tmp_path: Path, navis_volume: Path) -> None:
    size = navis_volume.stat().st_size
    with pytest.raises(InterpreterError, match=f"{size} bytes is over the 1000-byte limit"):
        ObjInterpreter(max_bytes=1000).read_model(ModelFile.open(navis_volume))
    with pytest.raises(InterpreterError, match="over the"):
        ColladaInterpreter(max_bytes=1000).read_model(ModelFile.open(CUBE))


BOMB = """<?xml version="1.0"?>
<!DOCTYPE COLLADA [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<COLLADA xmlns="http://www.collada.org/2005/11/COLLADASchema"><asset>&f;</asset></COLLADA>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE COLLADA [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<COLLADA xmlns="http://www.collada.org/2005/11/COLLADASchema"><asset>&secret;</asset></COLLADA>
"""


@pytest.mark.parametrize(
    ("text", "entity", "line"),
    [(BOMB, "a", 3), (EXTERNAL, "secret", 2)],
    ids=["entity-bomb", "external-entity"],
)
def test_collada_declaring_entities_is_refused(
    tmp_path: Path, text: str, entity: str, line: int
) -> None:
    path = write(tmp_path, text, "evil.dae")
    with pytest.raises(InterpreterError, match=f"declares the entity '{entity}'") as e:
        default_interpreters().read_model(path)
    assert e.value.line == line


def test_a_doctype_without_entities_names_nothing_that_is_read(tmp_path: Path) -> None:
    """An external DTD is never fetched: the mesh reads as if it were not named."""
    text = CUBE.read_text().replace(
        "<COLLADA", '<!DOCTYPE COLLADA SYSTEM "http://127.0.0.1:9/collada.dtd">\n<COLLADA', 1
    )
    mesh = default_interpreters().read_model(write(tmp_path, text, "dtd.dae")).variables[0].type
    assert isinstance(mesh, gm.VisualType) and isinstance(mesh.default_value, gm.Collada)


def test_collada_that_is_not_collada(tmp_path: Path) -> None:
    with pytest.raises(InterpreterError, match=r"the root element is <scene>, not <COLLADA>"):
        default_interpreters().read_model(write(tmp_path, "<scene/>", "x.dae"))
    with pytest.raises(InterpreterError, match="not well-formed XML: mismatched tag") as e:
        default_interpreters().read_model(write(tmp_path, "<COLLADA>\n<asset></COLLADA>", "y.dae"))
    assert e.value.line == 2
