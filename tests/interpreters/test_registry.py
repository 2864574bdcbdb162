"""The interpreter registry: a value the application makes, interpreters by id and by file,
every model file read through one call, interpreters added by module path."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters import (
    InterpreterError,
    InterpreterRegistry,
    LazyInterpreter,
    ModelFile,
    SwcInterpreter,
    default_interpreters,
    read_xmi,
)
from tests.interpreters.checks import client_view
from tests.interpreters.conftest import DATA
from tests.interpreters.samples import HEAD, SWC, TAIL, project, xmi

BUILT_IN = [
    "colladaModelInterpreter",
    "lemsModelInterpreter",
    "neuroMLModelInterpreter",
    "objModelInterpreter",
    "swcModelInterpreter",
]


def test_every_built_in_and_a_new_registry_each_time() -> None:
    a, b = default_interpreters(), default_interpreters()
    assert a.ids == b.ids == BUILT_IN
    a.add(SwcInterpreter(scale=2.0))
    assert a.get("swcModelInterpreter").scale == 2.0  # type: ignore[attr-defined]
    assert b.get("swcModelInterpreter").scale == 1.0  # type: ignore[attr-defined]
    assert len(a) == 5 and "swcModelInterpreter" in a and "nope" not in a


def test_ids_as_java_projects_spell_them() -> None:
    reg = default_interpreters()
    assert reg.get("swcModelInterpreterService") is reg.get("swcModelInterpreter")
    assert reg.get("objModelInterpreterService").id == "objModelInterpreter"
    with pytest.raises(InterpreterError) as e:
        reg.get("owlModelInterpreterService")
    assert str(e.value).startswith("owlModelInterpreterService: no model interpreter")
    assert "known: " + ", ".join(BUILT_IN) in str(e.value)
    assert e.value.hint == "add one with InterpreterRegistry.add()"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cell.swc", "swcModelInterpreter"),
        ("CELL.SWC", "swcModelInterpreter"),
        ("cell.nml", "neuroMLModelInterpreter"),
        ("cell.nml.xml", "neuroMLModelInterpreter"),  # the longer ending wins over .xml
        ("LEMS_x.xml", "lemsModelInterpreter"),
        ("brain.obj", "objModelInterpreter"),
        ("worm.dae", "colladaModelInterpreter"),
    ],
)
def test_interpreter_by_file_name(name: str, expected: str) -> None:
    assert default_interpreters().for_file(name).id == expected


def test_an_unknown_ending_lists_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "cell.asc"
    path.write_text("(soma)")
    with pytest.raises(InterpreterError, match="no model interpreter reads files named") as e:
        default_interpreters().read_model(path)
    for ending in (".dae", ".json", ".nml", ".obj", ".swc", ".xmi", ".xml"):
        assert ending in str(e.value)


def test_xml_files_by_their_root_element(tmp_path: Path, nml_root: Path) -> None:
    reg = default_interpreters()
    lems = reg.read_model(nml_root / "LEMSexamples" / "LEMS_NML2_Ex5_DetCell.xml", nml_root)
    assert [v.id for v in lems.variables] == ["net1"]
    assert lems.pointer("net1.hhpop[0].v").variable.id == "v"
    client_view(lems)
    nml = tmp_path / "hh.xml"
    shutil.copy(nml_root / "examples" / "NML2_SingleCompHHCell.nml", nml)
    assert [v.id for v in reg.read_model(nml).variables] == ["net1"]
    cube = tmp_path / "cube.xml"
    shutil.copy(DATA / "cube_tristrips.dae", cube)
    assert isinstance(reg.read_model(cube).variables[0].type, gm.VisualType)
    (tmp_path / "c.swc").write_text(SWC)
    model_xml = xmi(
        tmp_path,
        '  <variables id="c" types="//@libraries.0/@types.0"/>\n  <libraries id="l">\n'
        '    <types xsi:type="gep_1:ImportType" id="c" url="c.swc"/>\n  </libraries>\n',
        "model.xml",
    )
    assert isinstance(reg.read_model(model_xml).variable("c").type, gm.CompositeVisualType)
    other = tmp_path / "pom.xml"
    other.write_text("<project/>")
    with pytest.raises(InterpreterError, match="an XML file with root <project>: no interpreter"):
        reg.read_model(other)


def test_project_json_and_xmi_read_their_whole_model(tmp_path: Path) -> None:
    reg = default_interpreters()
    path = project(tmp_path)
    m = reg.read_model(path)
    assert [v.id for v in m.variables] == ["hhcell", "time"]
    assert isinstance(m.variable("hhcell").type, gm.CompositeVisualType)
    xmi_model = reg.read_model(tmp_path / "GeppettoModel.xmi")
    assert [v.id for v in xmi_model.variables] == ["hhcell"]  # no project: no time variable
    assert reg.read_project(path).experiments[0].aspects[0].instance == "hhcell"


def test_a_file_outside_the_root(tmp_path: Path) -> None:
    (tmp_path / "c.swc").write_text(SWC)
    (tmp_path / "p").mkdir()
    with pytest.raises(InterpreterError, match="outside the folder models are read from"):
        default_interpreters().read_model(tmp_path / "c.swc", tmp_path / "p")


class Words:
    """A format of the application's own: a text file whose words become text variables."""

    id = "wordsModelInterpreter"
    extensions: tuple[str, ...] = (".words",)

    def import_type(
        self, source: ModelFile, type_id: str, library: gm.GeppettoLibrary
    ) -> gm.CompositeType:
        words = source.read_bytes().decode().split()
        return library.add(gm.CompositeType(type_id, None, [gm.text(w, w.upper()) for w in words]))

    def read_model(self, source: ModelFile) -> gm.GeppettoModel:
        raise NotImplementedError


def test_an_applications_own_interpreter_resolves_import_types(tmp_path: Path) -> None:
    (tmp_path / "a.words").write_text("hello world")
    path = xmi(
        tmp_path,
        '  <variables id="w" types="//@libraries.0/@types.0"/>\n  <libraries id="l">\n'
        '    <types xsi:type="gep_1:ImportType" id="greeting" url="a.words"\n'
        '        modelInterpreterId="wordsModelInterpreter"/>\n  </libraries>\n',
    )
    with pytest.raises(InterpreterError, match="known: colladaModelInterpreter"):
        read_xmi(path, interpreters=default_interpreters())
    reg = InterpreterRegistry([Words()])
    m = read_xmi(path, interpreters=reg).model
    greeting = m.variable("w").type
    assert isinstance(greeting, gm.CompositeType)
    assert [v.id for v in greeting.variables] == ["hello", "world"]
    client_view(m)


PLUGIN = """
from geppetto_dev.interpreters.swc import SwcInterpreter

class Scaled(SwcInterpreter):
    id = "scaledSwc"

    def __init__(self) -> None:
        super().__init__(scale=10.0)

__all__ = ["Scaled", "other"]
other = object()
"""


def test_interpreters_added_by_module_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plugin_formats.py").write_text(textwrap.dedent(PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "c.swc").write_text(SWC)
    reg = InterpreterRegistry([LazyInterpreter("scaledSwc", (".swc",), "plugin_formats")])
    cell = reg.read_model(tmp_path / "c.swc").variables[0].type
    assert isinstance(cell, gm.CompositeVisualType)
    assert cell.variables[1].initial_value.position == (0.0, 0.0, 100.0)  # type: ignore[union-attr]
    by_attribute = LazyInterpreter("scaledSwc", (".swc",), "plugin_formats:Scaled")
    assert by_attribute.load().id == "scaledSwc"
    with pytest.raises(InterpreterError, match=r"the x interpreter is not available \(No module"):
        LazyInterpreter("x", (), "no_such_module_here").load()
    with pytest.raises(InterpreterError, match="defines no interpreter with id y"):
        LazyInterpreter("y", (), "plugin_formats").load()


def test_registry_reads_through_its_fetcher_only(tmp_path: Path) -> None:
    """No fetcher, no fetching: the registry passes its own (None by default) to projects."""
    body = (
        '  <variables id="c" types="//@libraries.0/@types.0"/>\n  <libraries id="l">\n'
        '    <types xsi:type="gep_1:ImportType" id="c" url="https://example.org/c.swc"/>\n'
        "  </libraries>\n"
    )
    (tmp_path / "m.xmi").write_text(HEAD + body + TAIL)
    assert default_interpreters().fetch is None
    with pytest.raises(InterpreterError, match="remote files are not fetched here"):
        default_interpreters().read_model(tmp_path / "m.xmi")
