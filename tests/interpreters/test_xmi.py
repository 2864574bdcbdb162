"""EMF XMI GeppettoModels in the shapes org.geppetto.samples and the Java model's tests hold:
ImportTypes resolved in place, composite and array types, values, data sources and queries
kept as records, and refusals with the line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters import (
    InterpreterError,
    Origin,
    default_interpreters,
    read_xmi,
)
from geppetto_dev.interpreters.xmldoc import parse_xml
from tests.interpreters.checks import client_view
from tests.interpreters.conftest import DATA
from tests.interpreters.samples import HEAD, SWC, TAIL, xmi


def test_import_type_resolved_in_place(tmp_path: Path) -> None:
    """The SingleComponentHH shape: one variable typed by the library's one ImportType."""
    (tmp_path / "cells").mkdir()
    (tmp_path / "cells" / "purkinje.swc").write_text(SWC)
    path = xmi(
        tmp_path,
        """  <variables id="cell" name="A Purkinje cell" types="//@libraries.0/@types.0"/>
  <libraries id="swc" name="SWC">
    <types xsi:type="gep_1:ImportType" id="purkinje" url="cells/purkinje.swc"
        referenceURL="" modelInterpreterId="swcModelInterpreter"/>
  </libraries>
""",
    )
    got = read_xmi(path, interpreters=default_interpreters())
    m = got.model
    assert [lib.id for lib in m.libraries] == ["common", "swc"]
    (cell,) = m.library("swc").types
    assert isinstance(cell, gm.CompositeVisualType) and cell.id == "purkinje"
    assert [v.id for v in cell.variables] == ["swcPoint1", "swcPoint2", "swcPoint3"]
    var = m.variable("cell")
    assert var.type is cell and var.name == "A Purkinje cell"
    assert got.unresolved == [] and got.skipped == []
    raw, client, _ = client_view(m)
    assert raw["variables"][0]["types"][0] == {
        "eClass": "CompositeVisualType",
        "$ref": "//@libraries.1/@types.0",
    }
    assert client.libraries[1].types[0].variables[0].id == "swcPoint1"


def test_meshes_each_their_own_visual_type(tmp_path: Path, navis_obj: Path) -> None:
    """Two OBJ ImportTypes (the VFB shape, with its 'Service' ids) and a Collada one."""
    shutil.copy(navis_obj, tmp_path / "neuron.obj")
    shutil.copy(DATA / "cube_tristrips.dae", tmp_path / "cube.dae")
    (tmp_path / "box.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    path = xmi(
        tmp_path,
        """  <variables id="neuron" types="//@libraries.0/@types.0"/>
  <variables id="box" types="//@libraries.0/@types.1"/>
  <variables id="cube" types="//@libraries.1/@types.0"/>
  <libraries id="OBJLibrary" name="OBJ">
    <types xsi:type="gep_1:ImportType" id="neuron_obj" url="neuron.obj"
        modelInterpreterId="objModelInterpreterService"/>
    <types xsi:type="gep_1:ImportType" id="box_obj" url="box.obj"
        modelInterpreterId="objModelInterpreterService"/>
  </libraries>
  <libraries id="collada" name="Collada">
    <types xsi:type="gep_1:ImportType" id="cube" url="cube.dae"/>
  </libraries>
""",
    )
    m = read_xmi(path, interpreters=default_interpreters()).model
    kinds = [(type(v.type).__name__, type(v.type.default_value).__name__) for v in m.variables]  # type: ignore[attr-defined]
    assert kinds == [("VisualType", "OBJ"), ("VisualType", "OBJ"), ("VisualType", "Collada")]
    client_view(m)


def test_types_variables_and_values(tmp_path: Path) -> None:
    """GeppettoModelTest2.xmi's composite and array types, plus the values EMF writes."""
    path = xmi(
        tmp_path,
        """  <variables id="addressBook" name="addressBook" types="//@libraries.0/@types.3"/>
  <variables id="v" types="//@libraries.1/@types.2">
    <initialValues key="//@libraries.1/@types.2">
      <value xsi:type="gep_2:PhysicalQuantity" value="-0.065" scalingFactor="2">
        <unit unit="V"/>
      </value>
    </initialValues>
  </variables>
  <variables id="trace" types="//@libraries.1/@types.2">
    <initialValues key="//@libraries.1/@types.2">
      <value xsi:type="gep_2:TimeSeries">
        <unit unit="mV"/><value>1.5</value><value>-2</value>
      </value>
    </initialValues>
  </variables>
  <variables id="ball" types="//@libraries.0/@types.4"/>
  <libraries id="sample" name="sample">
    <types xsi:type="gep_1:CompositeType" id="address" name="address">
      <variables id="street" name="street" types="//@libraries.0/@types.1"/>
      <variables id="zone" types="//@libraries.1/@types.0">
        <initialValues key="//@libraries.1/@types.0">
          <value xsi:type="gep_2:Text" text="north"/>
        </initialValues>
      </variables>
    </types>
    <types xsi:type="gep_1:ParameterType" id="genericParameter" name="genericParameter"/>
    <types xsi:type="gep_1:CompositeType" id="person" name="person"
        visualType="//@libraries.0/@types.4">
      <variables id="address" types="//@libraries.0/@types.0"/>
    </types>
    <types xsi:type="gep_1:ArrayType" id="addressBook" size="2" arrayType="//@libraries.0/@types.2">
      <defaultValue xsi:type="gep_2:ArrayValue">
        <elements index="0"><position x="1.0"/></elements>
        <elements index="1"><position y="-2.5" z="3"/></elements>
      </defaultValue>
    </types>
    <types xsi:type="gep_1:VisualType" id="ball">
      <defaultValue xsi:type="gep_2:Sphere" radius="2.5"><position x="1" y="2"/></defaultValue>
    </types>
  </libraries>
  <libraries id="common" name="Geppetto Common Library">
    <types xsi:type="gep_1:TextType" id="Text"/>
    <types xsi:type="gep_1:ParameterType" id="Parameter"/>
    <types xsi:type="gep_1:StateVariableType" id="StateVariable"/>
  </libraries>
""",
    )
    got = read_xmi(path)
    m = got.model
    assert [lib.id for lib in m.libraries] == ["common", "sample"]
    address, parameter, person, book, ball = m.library("sample").types
    assert isinstance(parameter, gm.BasicType) and parameter.eclass == "ParameterType"
    assert isinstance(address, gm.CompositeType)
    assert address.variables[0].type is parameter
    assert address.variables[1].type is gm.common.TEXT
    assert gm.value_to_dict(address.variables[1].initial_value) == {
        "eClass": "Text",
        "text": "north",
    }  # type: ignore[arg-type]
    assert person.visual_type is ball
    assert isinstance(book, gm.ArrayType) and book.array_type is person and book.size == 2
    assert book.default_value is not None
    assert [e.position for e in book.default_value.elements] == [(1.0, 0.0, 0.0), (0.0, -2.5, 3.0)]
    assert gm.value_to_dict(ball.default_value) == gm.value_to_dict(gm.Sphere(2.5, (1.0, 2.0, 0.0)))  # type: ignore[attr-defined]
    v, trace = m.variable("v"), m.variable("trace")
    assert v.type is gm.common.STATE_VARIABLE
    assert gm.value_to_dict(v.initial_value) == {  # type: ignore[arg-type]
        "eClass": "PhysicalQuantity",
        "value": -0.065,
        "unit": {"eClass": "Unit", "unit": "V"},
        "scalingFactor": 2.0,
    }
    assert isinstance(trace.initial_value, gm.TimeSeries)
    assert (trace.initial_value.value, trace.initial_value.unit) == ([1.5, -2.0], "mV")
    _, _, n = client_view(m)
    assert n >= 12


def test_data_sources_and_queries_are_kept_as_records(tmp_path: Path) -> None:
    """The VFB shape; its references to libraries the file lacks are left as text."""
    path = xmi(
        tmp_path,
        """  <libraries id="SWCLibrary" name="SWC"/>
  <dataSources id="neo4JDataSourceService" name="neo4j Data Source"
      dataSourceService="neo4jDataSource" url="http://pdb.example.org/db/data/transaction"
      dependenciesLibrary="//@libraries.3" targetLibrary="//@libraries.4">
    <libraryConfigurations library="//@libraries.0"
        modelInterpreterId="swcModelInterpreterService" format="swc"/>
    <queries xsi:type="gep_2:CompoundQuery" name="Get images" description="" runForCount="false">
      <queryChain xsi:type="gep_2:SimpleQuery" name="Get from Neo4j"
          query="MATCH (n) WHERE n.id = '$ID' RETURN n"/>
      <queryChain xsi:type="gep_2:ProcessQuery" name="Process"
          queryProcessorId="vfbCreateImagesForQueryResultsQueryProcessor"/>
    </queries>
  </dataSources>
  <queries xsi:type="gep_2:SimpleQuery" id="top" query="RETURN 1"/>
""",
    )
    got = read_xmi(path)
    (source,) = got.data_sources
    assert source.get("dataSourceService") == "neo4jDataSource"
    assert source.get("targetLibrary") == "//@libraries.4"
    (config,) = source.all("libraryConfigurations")
    assert config.get("modelInterpreterId") == "swcModelInterpreterService"
    (query,) = source.all("queries")
    assert query.kind == "CompoundQuery"
    assert [q.kind for q in query.all("queryChain")] == ["SimpleQuery", "ProcessQuery"]
    assert query.all("queryChain")[0].get("query") == "MATCH (n) WHERE n.id = '$ID' RETURN n"
    assert query.all("queryChain")[1].get("queryProcessorId") == (
        "vfbCreateImagesForQueryResultsQueryProcessor"
    )
    assert [q.get("id") for q in got.queries] == ["top"]


def test_import_types_left_for_later(tmp_path: Path) -> None:
    """autoresolve="false" and ImportTypes without a url stay; one without an id (as in the
    samples' balanced and pharyngeal models) takes its file's name."""
    (tmp_path / "c.swc").write_text(SWC)
    path = xmi(
        tmp_path,
        """  <variables id="a" types="//@libraries.0/@types.0"/>
  <variables id="b" types="//@libraries.0/@types.1"/>
  <variables id="c" types="//@libraries.0/@types.2"/>
  <libraries id="lazy" name="lazy">
    <types xsi:type="gep_1:ImportType" id="later" url="c.swc" autoresolve="false"
        modelInterpreterId="swcModelInterpreter"/>
    <types xsi:type="gep_1:ImportType" id="fetched" modelInterpreterId="swcModelInterpreter"/>
    <types xsi:type="gep_1:ImportType" url="c.swc" modelInterpreterId="swcModelInterpreter"/>
  </libraries>
""",
    )
    got = read_xmi(path, interpreters=default_interpreters())
    assert [t.id for t in got.unresolved] == ["later", "fetched"]
    later, _, now = got.model.library("lazy").types
    assert isinstance(later, gm.ImportType) and later.autoresolve is False
    assert isinstance(now, gm.CompositeVisualType) and now.id == "c"
    raw, _, _ = client_view(got.model)
    assert raw["libraries"][1]["types"][0]["autoresolve"] is False


def test_without_interpreters_nothing_is_read_but_the_xmi(tmp_path: Path) -> None:
    path = xmi(
        tmp_path,
        """  <variables id="a" types="//@libraries.0/@types.0"/>
  <libraries id="n" name="n">
    <types xsi:type="gep_1:ImportType" id="net" url="absent.nml"
        modelInterpreterId="neuroMLModelInterpreter"/>
  </libraries>
""",
    )
    got = read_xmi(Origin.local(path))
    assert isinstance(got.model.variable("a").type, gm.ImportType)
    assert [t.id for t in got.unresolved] == ["net"]


IMPORT = """  <variables id="a" types="//@libraries.0/@types.0"/>
  <libraries id="n" name="n">
    <types xsi:type="gep_1:ImportType" id="t" url="{url}" modelInterpreterId="{mid}"/>
  </libraries>
"""


@pytest.mark.parametrize(
    ("url", "mid", "says"),
    [
        ("c.swc", "fooModelInterpreter", "no model interpreter with this id; known: "),
        ("../outside.swc", "swcModelInterpreter", "outside the folder models are read from"),
        ("absent.swc", "swcModelInterpreter", "no such file"),
        ("https://example.org/c.swc", "swcModelInterpreter", "remote files are not fetched"),
        ("ftp://example.org/c.swc", "swcModelInterpreter", r"only files and http\(s\) URLs"),
        ("c.weird", "", "no model interpreter reads files named like this"),
    ],
)
def test_imports_that_cannot_be_read(tmp_path: Path, url: str, mid: str, says: str) -> None:
    (tmp_path / "outside.swc").write_text(SWC)
    (tmp_path / "p" / "c.swc").parent.mkdir()
    (tmp_path / "p" / "c.swc").write_text(SWC)
    (tmp_path / "p" / "c.weird").write_text(SWC)
    path = xmi(tmp_path / "p", IMPORT.format(url=url, mid=mid))
    with pytest.raises(InterpreterError, match=says) as e:
        read_xmi(path, interpreters=default_interpreters())
    if "known" in says:
        assert "swcModelInterpreter" in str(e.value) and "objModelInterpreter" in str(e.value)


def test_server_root_paths_are_read_from_the_root(tmp_path: Path) -> None:
    """Java names files by server-root paths (/projects/HH/cell.swc): under the root here."""
    (tmp_path / "projects" / "HH").mkdir(parents=True)
    (tmp_path / "projects" / "HH" / "cell.swc").write_text(SWC)
    path = xmi(
        tmp_path / "projects" / "HH",
        IMPORT.format(url="/projects/HH/cell.swc", mid="swcModelInterpreter"),
    )
    got = read_xmi(Origin.local(path, tmp_path), interpreters=default_interpreters())
    assert isinstance(got.model.variable("a").type, gm.CompositeVisualType)
    uri = (tmp_path / "projects" / "HH" / "cell.swc").as_uri()
    path.write_text(HEAD + IMPORT.format(url=uri, mid="swcModelInterpreter") + TAIL)
    got = read_xmi(Origin.local(path, tmp_path), interpreters=default_interpreters())
    assert isinstance(got.model.variable("a").type, gm.CompositeVisualType)


@pytest.mark.parametrize(
    ("body", "line", "says"),
    [
        (
            '  <variables id="a" types="//@libraries.0/@types.7"/>\n  <libraries id="l"/>\n',
            9,
            "names a type the file does not define",
        ),
        ('  <variables id="a" types="junk"/>\n', 9, "is not an EMF reference"),
        ('  <variables id="a"/>\n', 9, "variable 'a' names no type"),
        (
            '  <libraries id="l">\n    <types id="x"/>\n  </libraries>\n',
            10,
            "a type without xsi:type",
        ),
        (
            '  <libraries id="l">\n    <types xsi:type="gep_1:ArrayType" id="x"/>\n'
            "  </libraries>\n",
            10,
            "ArrayType 'x' names no arrayType",
        ),
        (
            '  <libraries id="l">\n    <types xsi:type="gep_1:VisualType" id="x"/>\n'
            '    <types xsi:type="gep_1:VisualType" id="x"/>\n  </libraries>\n',
            11,
            "already has a type with id 'x'",
        ),
        (
            '  <variables id="a" types="//@libraries.0/@types.0">\n    <initialValues>\n'
            '      <value xsi:type="gep_2:Sphere" radius="big"/>\n    </initialValues>\n'
            '  </variables>\n  <libraries id="l">\n'
            '    <types xsi:type="gep_1:VisualType" id="x"/>\n  </libraries>\n',
            11,
            "radius='big' is not a number",
        ),
    ],
)
def test_malformed_models_name_the_line(tmp_path: Path, body: str, line: int, says: str) -> None:
    path = xmi(tmp_path, body)
    with pytest.raises(InterpreterError, match=says) as e:
        read_xmi(path)
    assert e.value.line == line


def test_value_kinds_the_model_lacks_are_reported(tmp_path: Path) -> None:
    path = xmi(
        tmp_path,
        """  <variables id="f" types="//@libraries.0/@types.0">
    <initialValues key="//@libraries.0/@types.0">
      <value xsi:type="gep_2:Expression" expression="x*2"/>
    </initialValues>
  </variables>
  <libraries id="l"><types xsi:type="gep_1:ExpressionType" id="e"/></libraries>
""",
    )
    got = read_xmi(path)
    assert got.model.variable("f").initial_value is None
    assert got.skipped == ["line 11: a Expression value of 'f'"]


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<gep:GeppettoModel xmlns:gep="x"><variables id="&lol2;"/></gep:GeppettoModel>
"""


def test_entities_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xmi"
    path.write_text(BOMB)
    with pytest.raises(InterpreterError, match="declares the entity 'lol'") as e:
        read_xmi(path)
    assert e.value.line == 2


def test_not_a_geppetto_model(tmp_path: Path) -> None:
    path = tmp_path / "x.xmi"
    path.write_text('<?xml version="1.0"?>\n<xmi:XMI xmlns:xmi="http://www.omg.org/XMI"/>')
    with pytest.raises(InterpreterError, match="the root element is <XMI>"):
        read_xmi(path)


def test_nesting_and_size_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "deep.xmi"
    path.write_text(HEAD + "<a>" * 300 + "</a>" * 300 + TAIL)
    with pytest.raises(InterpreterError, match="nested deeper than 256 elements") as e:
        read_xmi(path)
    assert e.value.line == 9
    with pytest.raises(InterpreterError, match="too large for an XML model"):
        parse_xml((HEAD + " " * 2048 + TAIL).encode(), path, max_bytes=1024)
