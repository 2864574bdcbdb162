"""LEMS simulations: the target network as the model, the run as SI times and Geppetto paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.lems import (
    geppetto_path_of,
    lems_interpreter,
    lems_quantity_of,
    read_lems,
)
from geppetto_dev.interpreters.lems_paths import PathError
from geppetto_dev.interpreters.neuroml import read_document
from tests.interpreters.conftest import check_client_refs, value


def lems(root: Path, name: str) -> ModelFile:
    return ModelFile.open(root / "LEMSexamples" / name, root)


def test_hh_cell_simulation(nml_root: Path) -> None:
    model, sim = read_lems(lems(nml_root, "LEMS_NML2_Ex5_DetCell.xml"))
    assert [v.id for v in model.variables] == ["net1"]
    assert (sim.id, sim.target, sim.length, sim.step) == ("sim1", "net1", 0.3, 1e-05)
    assert sim.watched == [
        "net1.hhpop[0].v",
        "net1.hhpop[0].spiking",
        "net1.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.m.q",
        "net1.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.h.q",
        "net1.hhpop[0].bioPhys1.membraneProperties.kChans.kChan.n.q",
        "net1.hhpop[0].bioPhys1.membraneProperties.naChans.iDensity",
        "net1.hhpop[0].bioPhys1.membraneProperties.kChans.iDensity",
        "net1.hhpop[0].bioPhys1.membraneProperties.naChans.gDensity",
        "net1.hhpop[0].bioPhys1.membraneProperties.kChans.gDensity",
    ]
    assert sim.unresolved == []
    columns = [(o.owner, o.id, o.file_name) for o in sim.outputs if o.file_name]
    assert columns[0] == ("of0", "v", "results/ex5_v.dat")
    assert value(model, "net1.hhpop[0].v").unit == "V"
    assert check_client_refs(model) > 30


def test_multi_compartment_simulation(nml_root: Path) -> None:
    model, sim = read_lems(lems(nml_root, "LEMS_NML2_Ex25_MultiComp.xml"))
    assert [v.id for v in model.variables] == ["MultiCompCellNetwork"]
    assert (sim.length, sim.step) == (0.14, 5e-06)
    root = "MultiCompCellNetwork.pop0"
    assert sim.watched[:4] == [
        f"{root}[0].Soma_0.v",  # pop0/0/MultiCompCell/v: a cell's v is its first segment's
        f"{root}[2].Soma_0.v",
        f"{root}[1].Soma_0.v",
        f"{root}[1].Dendrite1_1.v",
    ]
    assert f"{root}[2].Dendrite2b_3.v" in sim.watched
    # Synapse conductances have no variable in the model: kept apart, not lost.
    assert "pop0/1/MultiCompCell/0/synapses:AMPA:0/g" in sim.unresolved
    for path in sim.watched:
        model.pointer(path)
    assert check_client_refs(model) > 40


def test_quantities_and_paths_both_ways(nml_root: Path) -> None:
    single = read_document(lems(nml_root, "LEMS_NML2_Ex5_DetCell.xml"))
    assert geppetto_path_of("hhpop[0]/v", single, "net1") == "net1.hhpop[0].v"
    assert geppetto_path_of("hhpop/0/hhcell/v", single, "net1", "hhcell") == "hhcell.hhpop[0].v"
    assert geppetto_path_of("t", single, "net1") == "time"
    assert lems_quantity_of("net1.hhpop[0].v", single, "net1") == "hhpop[0]/v"
    gate = "net1.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.m.q"
    quantity = "hhpop[0]/bioPhys1/membraneProperties/naChans/naChan/m/q"
    assert lems_quantity_of(gate, single, "net1") == quantity
    assert geppetto_path_of(quantity, single, "net1") == gate
    multi = read_document(lems(nml_root, "LEMS_NML2_Ex25_MultiComp.xml"))
    net = "MultiCompCellNetwork"
    for quantity, path in [
        ("pop0/1/MultiCompCell/3/v", f"{net}.pop0[1].Dendrite2b_3.v"),
        ("pop0/0/MultiCompCell/0/v", f"{net}.pop0[0].Soma_0.v"),
    ]:
        assert geppetto_path_of(quantity, multi, net) == path
        assert lems_quantity_of(path, multi, net) == quantity
    with pytest.raises(PathError, match="has no population 'nopop'"):
        geppetto_path_of("nopop[0]/v", multi, net)
    with pytest.raises(PathError, match="has no segment 7"):
        geppetto_path_of("pop0/1/MultiCompCell/7/v", multi, net)
    with pytest.raises(PathError, match="not a LEMS quantity of a cell"):
        geppetto_path_of("pop0/v", multi, net)


def test_interpreter_accepts_lems_and_imports_the_target(nml_root: Path) -> None:
    source = lems(nml_root, "LEMS_NML2_Ex5_DetCell.xml")
    assert lems_interpreter.accepts(source)
    nml = ModelFile.open(nml_root / "examples" / "NML2_SingleCompHHCell.nml", nml_root)
    assert not lems_interpreter.accepts(nml)
    # A Java project: variable "hhcell" of ImportType "net1" (the component's id) from LEMS.
    model = gm.GeppettoModel("p")
    lib = model.add_library("neuroml")
    placeholder = lib.add(
        gm.ImportType("net1", url="LEMS_NML2_Ex5_DetCell.xml", model_interpreter_id="lems")
    )
    model.add_variable(gm.Variable("hhcell", placeholder))
    net = lems_interpreter.import_type(source, "net1", lib)
    assert net.id == "net1" and net not in lib.types
    model.replace_type(placeholder, net)
    path = "hhcell.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.m.q"
    assert model.pointer(path).variable.type is gm.common.STATE_VARIABLE
    assert check_client_refs(model) > 30
    # An id the file does not define stands for the simulated network, under that id.
    other = gm.GeppettoLibrary("other")
    target = lems_interpreter.import_type(source, "model", other)
    assert (target.id, target.name) == ("model", "net1")


def test_not_a_lems_file_and_no_simulation(nml_root: Path, tmp_path: Path) -> None:
    nml = ModelFile.open(nml_root / "examples" / "NML2_SingleCompHHCell.nml", nml_root)
    with pytest.raises(InterpreterError, match=r"not a LEMS file \(the root element is <neuroml>"):
        read_lems(nml)
    (tmp_path / "nosim.xml").write_text('<Lems>\n<Include file="Cells.xml"/>\n</Lems>')
    with pytest.raises(InterpreterError, match="has no <Simulation>"):
        read_lems(ModelFile.open(tmp_path / "nosim.xml"))
    (tmp_path / "badnet.xml").write_text(
        '<Lems><Simulation id="s" length="1ms" step="0.1ms" target="nope"/></Lems>'
    )
    with pytest.raises(InterpreterError, match="targets 'nope', which is no network"):
        read_lems(ModelFile.open(tmp_path / "badnet.xml"))


def test_every_lems_example(nml_root: Path) -> None:
    read = 0
    for path in sorted((nml_root / "LEMSexamples").iterdir()):
        try:
            model, sim = read_lems(ModelFile.open(path, nml_root))
        except InterpreterError as err:
            assert "which is no network" in str(err), err  # Ex17 runs a LEMS tissue
            continue
        assert sim.watched and sim.length > 0 and sim.step > 0
        for watched in sim.watched:
            model.pointer(watched)
        assert check_client_refs(model) > 0
        read += 1
    assert read >= 29
