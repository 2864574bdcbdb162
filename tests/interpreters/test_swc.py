"""SWC morphologies: real files from NeuroMorpho.org (brian2), hemibrain (navis) and the Java
interpreter's own tests, drawn as the Java swcModelInterpreter drew them."""

from __future__ import annotations

from pathlib import Path

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters import (
    InterpreterError,
    ModelFile,
    SwcInterpreter,
    default_interpreters,
    parse_swc,
)
from tests.interpreters.checks import client_view
from tests.interpreters.conftest import DATA


def same(a: gm.Value | None, b: gm.Value) -> bool:
    """Values compare by identity; their EMF-JSON says whether they hold the same."""
    return a is not None and gm.value_to_dict(a) == gm.value_to_dict(b)


def write(tmp_path: Path, text: str, name: str = "cell.swc") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_brian2_neuromorpho_cell(brian2_swc: Path) -> None:
    m = default_interpreters().read_model(brian2_swc)
    (var,) = m.variables
    cell = var.type
    assert isinstance(cell, gm.CompositeVisualType)
    assert cell.id == var.id == "mp_ma_40984_gc2_CNG"
    assert len(cell.variables) == 353  # a one-point soma and 352 cylinders
    soma = cell.variables[0]
    assert soma.id == "swcPoint1" and soma.name == "SWC Segment 1"
    assert same(soma.initial_value, gm.Sphere(12.03, (0.2917, 0.04167, -0.1458)))
    first = cell.variables[1].initial_value
    assert isinstance(first, gm.Cylinder)
    # From the point to its parent: the point's radius at the bottom, the parent's at the top.
    assert first.position == (12.0, 6.5, 1.0) and first.distal == (0.2917, 0.04167, -0.1458)
    assert (first.bottom_radius, first.top_radius) == (0.85, 12.03)
    assert all(isinstance(v.initial_value, gm.Cylinder) for v in cell.variables[1:])
    _, client, n = client_view(m)
    assert n == 1 + 2 * 353  # the top-level variable's type; each segment's type and value key
    assert client.variables[0].raw["types"][0]["eClass"] == "CompositeVisualType"


def test_java_interpreters_own_test_file_reads_na_radii_as_one() -> None:
    """Its root is an axon point (type 2): drawn by no shape, as in Java; NA radius -> 1."""
    points = parse_swc((DATA / "5-HT1B-F-000000.swc").read_text())
    assert points[0].type == 2 and points[0].parent == -1
    assert {p.radius for p in points} == {1.0}
    m = SwcInterpreter().read_model(ModelFile.open(DATA / "5-HT1B-F-000000.swc"))
    cell = m.variables[0].type
    assert isinstance(cell, gm.CompositeVisualType)
    assert len(cell.variables) == len(points) - 1
    assert cell.variables[0].id == "swcPoint2"
    client_view(m)


def test_hemibrain_scaled_to_um_and_centred(navis_swc: Path) -> None:
    raw = parse_swc(navis_swc.read_text())
    root = raw[0]
    assert root.type == 0 and root.parent == -1  # navis labels the root 0: not a soma
    m = SwcInterpreter(scale=0.008, center=True).read_model(ModelFile.open(navis_swc))
    cell = m.variables[0].type
    assert isinstance(cell, gm.CompositeVisualType)
    assert len(cell.variables) == len(raw) - 1
    first = cell.variables[0].initial_value
    assert isinstance(first, gm.Cylinder)
    assert first.distal == (0.0, 0.0, 0.0)  # its parent is the root, now at the origin
    p = raw[1]
    expected = tuple((a - b) * 0.008 for a, b in zip(p.position, root.position, strict=True))
    assert first.position == pytest.approx(expected)
    assert first.bottom_radius == pytest.approx(p.radius * 0.008)
    biggest = max(abs(c) for v in cell.variables for c in v.initial_value.position)  # type: ignore[union-attr]
    assert biggest < 500  # um: the raw file reaches 3.8e4 voxels
    client_view(m)


def test_comments_commas_tabs_crlf_and_any_id_order(tmp_path: Path) -> None:
    text = "# header\r\n3\t3 2 0 0 0.5 2  # a tip\r\n1,1,0,0,0,4,-1\r\n\r\n2 3 1 0 0 1 1\r\n"
    cell = SwcInterpreter().read_model(ModelFile.open(write(tmp_path, text))).variables[0].type
    assert isinstance(cell, gm.CompositeVisualType)
    assert [v.id for v in cell.variables] == ["swcPoint3", "swcPoint1", "swcPoint2"]
    assert same(cell.variables[1].initial_value, gm.Sphere(4.0, (0.0, 0.0, 0.0)))
    tip = gm.Cylinder(0.5, 1.0, (2.0, 0.0, 0.0), (1.0, 0.0, 0.0))
    assert same(cell.variables[0].initial_value, tip)


def test_import_type_keeps_the_id_it_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, "1 1 0 0 0 1 -1\n2 3 0 0 5 1 1\n")
    lib = gm.GeppettoLibrary("swc")
    t = SwcInterpreter().import_type(ModelFile.open(path), "purkinje", lib)
    assert t.id == "purkinje" and lib.types == [t]


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("1 1 0 0 0 1 -1\n2 3 0 0 1 -1\n", 2, "expected 7 values"),
        ("1 1 0 0 0 1 -1\n2 3 0 zero 1 1 1\n", 2, "y 'zero' is not a number"),
        ("1 1 0 0 0 1 -1\n2 3 0 0 nan 1 1\n", 2, "z 'nan' is not finite"),
        ("1 1 0 0 0 1 -1\n2.5 3 0 0 1 1 1\n", 2, "id '2.5' is not a whole number"),
        ("1 1 0 0 0 1 -1\n1 3 0 0 1 1 1\n", 2, "point 1 is defined twice (first on line 1)"),
        ("1 1 0 0 0 1 -1\n2 3 0 0 1 1 7\n", 2, "names parent 7, which is not in the file"),
        ("1 1 0 0 0 1 -1\n2 3 0 0 1 1 3\n3 3 0 0 2 1 2\n", 2, "points 2 -> 3 -> 2 form a cycle"),
        ("1 1 0 0 0 1 1\n", 1, "points 1 -> 1 form a cycle"),
    ],
)
def test_malformed_files_name_the_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InterpreterError) as e:
        default_interpreters().read_model(path)
    assert e.value.line == line
    assert says in e.value.reason
    assert str(e.value).startswith(f"{path}:{line}: ")


def test_a_file_without_points(tmp_path: Path) -> None:
    with pytest.raises(InterpreterError, match="holds no SWC points"):
        default_interpreters().read_model(write(tmp_path, "# only a header\n"))


def test_a_file_outside_the_root_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "1 1 0 0 0 1 -1\n")
    (tmp_path / "project").mkdir()
    with pytest.raises(InterpreterError, match="outside the folder"):
        default_interpreters().read_model(path, root=tmp_path / "project")


def test_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="scale"):
        SwcInterpreter(scale=0)
