"""NeuroML documents as Geppetto models: ids, shapes and paths as the Java server made them."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.neuroml import neuroml_interpreter, parse_id
from tests.interpreters.conftest import check_client_refs, value
from tests.model.client import ClientModel


def read(root: Path, name: str) -> gm.GeppettoModel:
    return neuroml_interpreter.read_model(ModelFile.open(root / "examples" / name, root))


def visual(model: gm.GeppettoModel, type_id: str) -> dict[str, gm.Variable]:
    t = model.find_type(f"neuroml.{type_id}")
    assert isinstance(t, gm.CompositeVisualType)
    return {v.id: v for v in t.variables}


def test_parse_id_is_javas() -> None:
    assert parse_id("Soma_0") == "Soma_0"
    assert parse_id("0soma") == "id0soma"
    assert parse_id("a.b c/d:e(f)") == "a_b_c_d_e_f_"
    assert parse_id("synapses:AMPA:0") == "synapses_AMPA_0"


def test_single_compartment_cell(nml_root: Path) -> None:
    m = read(nml_root, "NML2_SingleCompHHCell.nml")
    assert [v.id for v in m.variables] == ["net1"]
    assert [lib.id for lib in m.libraries] == ["common", "neuroml"]
    soma = visual(m, "hhcell__morph1")
    assert list(soma) == ["soma_0"]
    sphere = soma["soma_0"].initial_value
    assert isinstance(sphere, gm.Sphere)
    assert (sphere.radius, sphere.position) == (17.841242 / 2, (0.0, 0.0, 0.0))
    pop = m.pointer("net1.hhpop").variable.type
    assert isinstance(pop, gm.ArrayType) and pop.size == 1
    assert pop.default_value is not None and pop.default_value.elements == []
    # One segment: v and spiking on the cell, SI units as Java gave them.
    assert value(m, "net1.hhpop[0].v").unit == "V"
    assert value(m, "net1.hhpop[0].spiking").unit == ""
    q = m.pointer("net1.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.m.q")
    assert q.variable.type is gm.common.STATE_VARIABLE
    assert value(m, "net1.hhpop[0].bioPhys1.membraneProperties.kChans.kChan.n.q").unit == ""
    g = value(m, "net1.hhpop[0].bioPhys1.membraneProperties.naChans.gDensity")
    assert g.unit == "S_per_m2"
    cond = value(m, "net1.hhpop[0].bioPhys1.membraneProperties.naChans.condDensity")
    assert (cond.value, cond.unit) == (120.0, "mS_per_cm2")
    assert check_client_refs(m) > 30


def test_multi_compartment_network(nml_root: Path) -> None:
    m = read(nml_root, "NML2_MultiCompCellNetwork.nml")
    assert [v.id for v in m.variables] == ["MultiCompCellNetwork"]
    shapes = visual(m, "MultiCompCell__MultiCompCell_morphology")
    assert list(shapes) == ["Soma_0", "Dendrite1_1", "Dendrite2a_2", "Dendrite2b_3"]
    soma = shapes["Soma_0"].initial_value
    assert isinstance(soma, gm.Cylinder)
    assert (soma.position, soma.distal, soma.bottom_radius, soma.top_radius) == (
        (0.0, 0.0, 0.0),
        (0.0, 10.0, 0.0),
        5.0,
        5.0,
    )
    # No proximal: the parent's distal (0, 30, 0), diameter 2.5.
    tip = shapes["Dendrite2b_3"].initial_value
    assert isinstance(tip, gm.Cylinder)
    assert (tip.position, tip.distal, tip.bottom_radius, tip.top_radius) == (
        (0.0, 30.0, 0.0),
        (0.0, 50.0, 0.0),
        1.25,
        0.75,
    )
    pop = m.pointer("MultiCompCellNetwork.pop0").variable.type
    assert isinstance(pop, gm.ArrayType) and pop.size == 3
    assert pop.array_type.visual_type is m.find_type(
        "neuroml.MultiCompCell__MultiCompCell_morphology"
    )
    assert pop.default_value is not None
    assert [(e.index, e.position) for e in pop.default_value.elements] == [
        (0, (0.0, 0.0, 0.0)),
        (1, (30.0, 0.0, 0.0)),
        (2, (60.0, 0.0, 0.0)),
    ]
    # Several segments: one compartment per segment, with the visual's id.
    cell = pop.array_type
    assert isinstance(cell, gm.CompositeType)
    compartments = [v.id for v in cell.variables if v.type.id == "compartment"]
    assert compartments == list(shapes)
    assert "v" not in {v.id for v in cell.variables}
    assert value(m, "MultiCompCellNetwork.pop0[1].Dendrite2b_3.v").unit == "V"
    # Projections are ImportTypes, resolved on request.
    proj = m.pointer("MultiCompCellNetwork.projAMPA").variable.type
    assert isinstance(proj, gm.ImportType)
    assert proj.model_interpreter_id == "neuroMLModelInterpreter"
    assert proj.url == "examples/NML2_MultiCompCellNetwork.nml"
    assert check_client_refs(m) > 40


def test_resolving_a_projection_import_type(nml_root: Path) -> None:
    source = ModelFile.open(nml_root / "examples" / "NML2_MultiCompCellNetwork.nml", nml_root)
    m = neuroml_interpreter.read_model(source)
    sync = gm.SyncState()
    client = ClientModel.create(json.loads(gm.to_json(m, sync)))
    old = m.find_type("neuroml.projNMDA")
    lib = m.library("neuroml")
    count = len(lib.types)
    resolved = neuroml_interpreter.import_type(source, "projNMDA", lib)
    assert len(lib.types) == count  # its synapse type is the one already there
    m.replace_type(old, resolved)
    assert value(m, "MultiCompCellNetwork.projNMDA.connections").value == 5.0
    assert m.pointer("MultiCompCellNetwork.projNMDA.NMDA").variable.type.id == "NMDA"
    client.merge_model(json.loads(gm.to_json(m, sync)), override_types=True)
    assert [t.id for t in client.libraries[1].types] == [t.id for t in lib.types]


def test_groups_decide_what_is_drawn(nml_root: Path) -> None:
    m = read(nml_root, "NML2_SimpleMorphology.nml")
    assert [v.id for v in m.variables] == ["SimpleCell"]
    shapes = visual(m, "SimpleCell__SimpleCell_Morphology")
    assert sorted(shapes) == ["MainDendrite1_1", "MainDendrite2_2", "Soma_0", "Spine_3"]
    d2 = shapes["MainDendrite2_2"].initial_value
    assert isinstance(d2, gm.Cylinder)
    assert (d2.position, d2.bottom_radius, d2.top_radius) == ((20.0, 0.0, 0.0), 1.5, 0.5)
    assert check_client_refs(m) > 5


def test_abstract_cells(nml_root: Path) -> None:
    source = ModelFile.open(nml_root / "examples" / "NML2_AbstractCells.nml", nml_root)
    with pytest.raises(InterpreterError, match=r"defines 10 cells \(iafTau, iafTauRef, iaf"):
        neuroml_interpreter.read_model(source)
    lib = gm.GeppettoLibrary("neuroml")
    iz = neuroml_interpreter.import_type(source, "izBurst", lib)
    assert isinstance(iz, gm.CompositeType) and iz not in lib.types
    params = {v.id: v.initial_value for v in iz.variables if v.type is gm.common.PARAMETER}
    assert (params["v0"].value, params["v0"].unit) == (-70.0, "mV")  # type: ignore[union-attr]
    state = {v.id: v.initial_value.unit for v in iz.variables if v.type is gm.common.STATE_VARIABLE}  # type: ignore[union-attr]
    assert state == {"v": "V", "U": ""}
    with pytest.raises(InterpreterError, match="defines no component 'nope'"):
        neuroml_interpreter.import_type(source, "nope", lib)


def test_populations_of_abstract_cells_are_spheres(nml_root: Path) -> None:
    m = read(nml_root, "NML2_InstanceBasedNetwork.nml")
    sphere = m.find_type("neuroml.morphology_sphere")
    assert isinstance(sphere, gm.CompositeVisualType)
    (ball,) = sphere.variables
    assert ball.id == "iaf" and isinstance(ball.initial_value, gm.Sphere)
    assert (ball.initial_value.radius, ball.initial_value.position) == (1.2, (0.0, 0.0, 0.0))
    pop = m.pointer("InstanceBasedNetwork.iafCells").variable.type
    assert isinstance(pop, gm.ArrayType) and pop.array_type.visual_type is sphere
    assert value(m, "InstanceBasedNetwork.iafCells[2].v").unit == "V"


def test_every_example_serializes_and_resolves(nml_root: Path) -> None:
    shown = 0
    for path in sorted((nml_root / "examples").iterdir()):
        try:
            m = neuroml_interpreter.read_model(ModelFile.open(path, nml_root))
        except InterpreterError as err:
            # Files of parts (channels, inputs, several cells) have nothing to show alone.
            assert "no network and no cell" in str(err) or "defines 10 cells" in str(err)
            continue
        assert check_client_refs(m) > 0
        shown += 1
    assert shown >= 15


def _big_cell(path: Path, n: int) -> None:
    rng = random.Random(5)
    lines = [
        '<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="big">',
        '<cell id="big"><morphology id="m">',
        '<segment id="0" name="soma"><proximal x="0" y="0" z="0" diameter="10"/>'
        '<distal x="0" y="10" z="0" diameter="10"/></segment>',
    ]
    for i in range(1, n):
        lines.append(
            f'<segment id="{i}" name="dend"><parent segment="{rng.randrange(i)}"/>'
            f'<distal x="{i}" y="{i % 17}" z="{i % 5}" diameter="1.5"/></segment>'
        )
    lines.append("</morphology></cell></neuroml>")
    path.write_text("\n".join(lines))


def test_a_ten_thousand_segment_cell(tmp_path: Path) -> None:
    _big_cell(tmp_path / "big.nml", 10_000)
    m = neuroml_interpreter.read_model(ModelFile.open(tmp_path / "big.nml"))
    shapes = visual(m, "big__m")
    assert len(shapes) == 10_000 and "dend_9999" in shapes
    cell = m.find_type("neuroml.big")
    assert isinstance(cell, gm.CompositeType)
    assert [v.id for v in cell.variables if v.type.id == "compartment"] == list(shapes)
    assert value(m, "big.dend_9999.v").unit == "V"
    text = gm.to_json(m)
    assert text.count('"eClass":"Cylinder"') == 10_000
