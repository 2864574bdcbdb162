"""NeuroML files read into the document: real examples, includes, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.neuroml import read_document
from geppetto_dev.interpreters.neuroml.document import Point3D, cell_index
from geppetto_dev.interpreters.neuroml.units import si

NS = 'xmlns="http://www.neuroml.org/schema/neuroml2"'


def example(root: Path, name: str) -> ModelFile:
    return ModelFile.open(root / "examples" / name, root)


def test_single_compartment_hh_cell(nml_root: Path) -> None:
    doc = read_document(example(nml_root, "NML2_SingleCompHHCell.nml"))
    assert doc.id == "NML2_SingleCompHHCell"
    cell = doc.cells["hhcell"]
    assert cell.morphology is not None and cell.biophysics is not None
    soma = cell.morphology.segments[0]
    assert (soma.id, soma.name, soma.parent) == (0, "soma", None)
    assert soma.proximal == soma.distal == Point3D(0.0, 0.0, 0.0, 17.841242)
    mem = cell.biophysics.membrane
    assert [(d.id, d.ion_channel, d.cond_density, d.erev) for d in mem.channel_densities] == [
        ("leak", "passiveChan", "3.0 S_per_m2", "-54.3mV"),
        ("naChans", "naChan", "120.0 mS_per_cm2", "50.0 mV"),
        ("kChans", "kChan", "360 S_per_m2", "-77mV"),
    ]
    assert si(mem.init_memb_potential[0].value) == -0.065
    assert si(mem.specific_capacitance[0].value) == 0.01
    assert cell.biophysics.intracellular.resistivity[0].value == "0.03 kohm_cm"
    na = doc.ion_channels["naChan"]
    assert (na.type, na.conductance, na.species) == ("ionChannelHH", "10pS", "na")
    m = na.gates[0]
    assert (m.id, m.type, m.instances) == ("m", "gateHHrates", 3)
    assert m.forward_rate is not None and m.reverse_rate is not None
    assert m.forward_rate.type == "HHExpLinearRate"
    assert m.forward_rate.si("midpoint") == -0.04 and m.forward_rate.si("rate") == 1000.0
    assert m.reverse_rate.type == "HHExpRate" and m.reverse_rate.get("scale") == "-18mV"
    assert doc.inputs["pulseGen1"].si("amplitude") == 8e-11
    net = doc.networks["net1"]
    assert [(p.id, p.component, p.size, p.type) for p in net.populations] == [
        ("hhpop", "hhcell", 1, "population")
    ]
    explicit = net.explicit_inputs[0]
    assert (explicit.population, explicit.index, explicit.input) == ("hhpop", 0, "pulseGen1")


def test_network_with_include_instances_projections_and_inputs(nml_root: Path) -> None:
    doc = read_document(example(nml_root, "NML2_MultiCompCellNetwork.nml"))
    # The include is read too: its channels and its cell are in the document.
    assert [Path(f).name for f in doc.files] == [
        "NML2_MultiCompCellNetwork.nml",
        "NML2_SingleCompHHCell.nml",
    ]
    assert {"naChan", "kChan", "passiveChan"} <= set(doc.ion_channels)
    assert Path(doc.defined_in["naChan"]).name == "NML2_SingleCompHHCell.nml"
    morph = doc.cells["MultiCompCell"].morphology
    assert morph is not None
    assert [(s.id, s.name, s.parent) for s in morph.segments] == [
        (0, "Soma", None),
        (1, "Dendrite1", 0),
        (2, "Dendrite2a", 1),
        (3, "Dendrite2b", 2),
    ]
    assert morph.segments[3].proximal is None
    assert morph.proximal(morph.segments[3]) == Point3D(0.0, 30.0, 0.0, 2.5)
    assert morph.group_segments("dendrite_group") == [1, 2, 3]
    assert morph.group_segments("soma_group") == [0]
    assert morph.group_segments("all") == [0, 1, 2, 3]
    assert morph.group("dendSec2") is not None
    assert morph.group("dendSec2").properties == {"numberInternalDivisions": "9"}  # type: ignore[union-attr]
    pop = doc.networks["MultiCompCellNetwork"].population("pop0")
    assert pop.type == "populationList" and pop.size == 3
    assert [(i.id, i.location) for i in pop.instances] == [
        (0, (0.0, 0.0, 0.0)),
        (1, (30.0, 0.0, 0.0)),
        (2, (60.0, 0.0, 0.0)),
    ]
    proj = doc.networks["MultiCompCellNetwork"].projections[0]
    assert (proj.id, proj.synapse, len(proj.connections)) == ("projAMPA", "AMPA", 5)
    c = proj.connections[1]
    assert (c.pre_index, c.post_index, c.post_segment, c.post_fraction_along) == (0, 1, 3, 0.3)
    assert doc.synapses["AMPA"].si("tauDecay") == 0.0005
    assert doc.synapses["NMDA"].child("blockMechanism") is not None
    inputs = doc.networks["MultiCompCellNetwork"].input_lists
    assert [(il.component, il.inputs[0].index, il.inputs[0].destination) for il in inputs] == [
        ("pulseGen2", 0, "synapses"),
        ("pulseGen3", 2, "synapses"),
    ]


def test_path_and_subtree_groups(nml_root: Path) -> None:
    morph = read_document(example(nml_root, "NML2_SimpleMorphology.nml")).cells["SimpleCell"]
    assert morph.morphology is not None
    m = morph.morphology
    assert m.segments[3].fraction_along == 0.5
    assert m.group_segments("middle") == [1, 2]
    assert m.group_segments("tip") == [1, 2, 3]
    assert m.group_segments("dendrite_group") == [1, 2, 3]


def test_abstract_cells_and_every_example_reads(nml_root: Path) -> None:
    doc = read_document(example(nml_root, "NML2_AbstractCells.nml"))
    iz = doc.abstract_cells["izBurst"]
    assert (iz.type, iz.si("v0"), iz.get("a")) == ("izhikevichCell", -0.07, "0.02")
    assert doc.abstract_cells["iz2007RS"].si("k") == pytest.approx(7e-7)
    assert set(doc.abstract_cells) >= {"iafTau", "iaf", "adExBurst", "fn1", "pr2A"}
    for path in sorted((nml_root / "examples").iterdir()):
        read_document(ModelFile.open(path, nml_root))  # none raises


def test_cell_references() -> None:
    assert [cell_index(r) for r in ("../pop0/1/Cell", "pop0/2/Cell", "../p[3]", "p[4]", "5")] == [
        1,
        2,
        3,
        4,
        5,
    ]


# -- bad input -----------------------------------------------------------------------------


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<?xml version="1.0"?>\n<neuroml {NS} id="{path.stem}">\n{body}\n</neuroml>\n')
    return path


def test_unsupported_root(tmp_path: Path) -> None:
    (tmp_path / "x.nml").write_text("<?xml version='1.0'?>\n<svg/>")
    with pytest.raises(InterpreterError, match=r"x.nml: not a NeuroML or LEMS document .*<svg>"):
        read_document(ModelFile.open(tmp_path / "x.nml"))


def test_missing_include_names_the_including_line(tmp_path: Path) -> None:
    main = write(tmp_path, "main.nml", '<cell id="c"/>\n<include href="gone.nml"/>')
    with pytest.raises(InterpreterError) as info:
        read_document(ModelFile.open(main))
    assert info.value.path == str(main) and info.value.line == 4
    assert "includes 'gone.nml'" in str(info.value) and "no such file" in str(info.value)


def test_include_outside_the_root_and_remote_includes(tmp_path: Path) -> None:
    write(tmp_path, "secret.nml", '<cell id="s"/>')
    main = write(tmp_path, "models/main.nml", '<include href="../secret.nml"/>')
    with pytest.raises(InterpreterError, match="outside the folder models are read from"):
        read_document(ModelFile.open(main))
    # With the parent as the root, the same include is fine.
    assert "s" in read_document(ModelFile.open(main, tmp_path)).cells
    remote = write(tmp_path, "remote.nml", '<include href="https://example.org/cells.nml"/>')
    with pytest.raises(InterpreterError, match=r"remote.nml:3: includes .*names a remote file"):
        read_document(ModelFile.open(remote))


def test_core_type_files_are_recognised_and_never_fetched(tmp_path: Path) -> None:
    main = write(
        tmp_path,
        "main.nml",
        '<include href="https://raw.githubusercontent.com/NeuroML/NeuroML2/master/'
        'NeuroML2CoreTypes/Cells.xml"/>\n<include href="NeuroML2CoreTypes.xml"/>\n<cell id="c"/>',
    )
    assert list(read_document(ModelFile.open(main)).cells) == ["c"]


def test_include_cycles_and_diamonds_read_each_file_once(tmp_path: Path) -> None:
    write(tmp_path, "a.nml", '<include href="b.nml"/><cell id="a"/>')
    write(tmp_path, "b.nml", '<include href="a.nml"/><include href="c.nml"/><cell id="b"/>')
    write(tmp_path, "c.nml", '<include href="a.nml"/><cell id="c"/>')
    doc = read_document(ModelFile.open(tmp_path / "a.nml"))
    assert sorted(doc.cells) == ["a", "b", "c"]
    assert [Path(f).name for f in doc.files] == ["a.nml", "b.nml", "c.nml"]


def test_duplicate_ids_and_broken_segments_name_their_line(tmp_path: Path) -> None:
    write(tmp_path, "other.nml", '<cell id="c"/>')
    dup = write(tmp_path, "dup.nml", '<include href="other.nml"/>\n\n<cell id="c"/>')
    with pytest.raises(
        InterpreterError, match=r"dup.nml:5: the id 'c' is already defined in other"
    ):
        read_document(ModelFile.open(dup))
    seg = write(
        tmp_path,
        "seg.nml",
        '<cell id="c"><morphology id="m">\n<segment id="0"><distal x="0" y="0" z="0" '
        'diameter="1"/></segment>\n<segment id="1">\n<proximal x="0" y="0" z="0" diameter="1"/>'
        "</segment>\n</morphology></cell>",
    )
    with pytest.raises(InterpreterError, match=r"seg.nml:5: segment 1 has no <distal> point"):
        read_document(ModelFile.open(seg))
    bad = write(
        tmp_path,
        "bad.nml",
        '<cell id="c"><morphology id="m">\n<segment id="0">\n'
        '<distal x="0" y="zero" z="0" diameter="1"/></segment></morphology></cell>',
    )
    with pytest.raises(InterpreterError, match=r"bad.nml:5: <distal> has a coordinate"):
        read_document(ModelFile.open(bad))


def test_malformed_include_names_the_included_file(tmp_path: Path) -> None:
    main = write(tmp_path, "main.nml", '<include href="sub/broken.nml"/>')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "broken.nml").write_text("<neuroml>\n<cell id='a'>\n</neuroml>")
    with pytest.raises(InterpreterError) as info:
        read_document(ModelFile.open(main))
    assert info.value.path.endswith("broken.nml") and info.value.line == 3
