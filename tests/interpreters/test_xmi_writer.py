"""The XMI writer: what it writes, `read_xmi` reads back as the same model (the client's JSON
of both is the same), in the form Java's XMI files have."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters import read_xmi
from geppetto_dev.interpreters.xmi_writer import XmiWriteError, write_xmi
from geppetto_dev.projects import demo


def every_kind() -> gm.GeppettoModel:
    """A model with every type and value kind the XMI reader reads, and awkward text."""
    m = gm.GeppettoModel("kinds", name='Kinds & "quotes"')
    lib = m.add_library("lib", "A library")
    ball = lib.add(gm.VisualType("ball", default_value=gm.Sphere(2.5, (1.0, 2.0, 0.0))))
    shapes = lib.add(
        gm.CompositeVisualType(
            "shapes",
            variables=[
                gm.cylinder(
                    "dend", bottom_radius=1.0, top_radius=0.5, position=(0, 0, 0), distal=(0, 10, 0)
                ),
                gm.particles("cloud", [(0, 0, 0), (1, 1, 1)]),
                gm.Variable("mesh", gm.common.VISUAL, initial_value=gm.OBJ("v 0 0 0\nf 1 1 1")),
                gm.Variable("scene", gm.common.VISUAL, initial_value=gm.Collada("<COLLADA/>")),
            ],
        )
    )
    cell = lib.add(
        gm.CompositeType(
            "cell",
            "A cell",
            variables=[
                gm.state_variable("v", gm.time_series([-65.0, -64.5, 1e-300], unit="mV")),
                gm.parameter("g", 0.12, "S_per_m2"),
                gm.text("note", 'line one\nline <two> & "three"\ttab'),
                gm.html("page", "<b>bold</b>"),
                gm.url("link", "https://example.org/?a=1&b=2"),
                gm.Variable("lazy", gm.common.STATE_VARIABLE, initial_value=gm.ImportValue("x")),
            ],
            visual_type=shapes,
        )
    )
    pop = lib.add(gm.ArrayType("pop", array_type=cell, positions=[(0, 0, 0), (20, 0, -1.5)]))
    plain = lib.add(gm.ArrayType("plain", array_type=cell, size=3))
    lazy = lib.add(
        gm.ImportType(
            "later",
            url="cells/later.nml",
            reference_url="ref",
            model_interpreter_id="neuroMLModelInterpreter",
            autoresolve=False,
        )
    )
    other = m.add_library("other")
    other.add(gm.BasicType("simple", kind="SimpleType"))
    m.add_variable(gm.Variable("pop", pop))
    m.add_variable(gm.Variable("plain", plain))
    m.add_variable(gm.Variable("ball", ball))
    m.add_variable(gm.Variable("later", lazy))
    m.ensure_time()
    return m


def round_trip(model: gm.GeppettoModel, tmp_path: Path) -> tuple[str, gm.GeppettoModel]:
    text = write_xmi(model)
    path = tmp_path / "model.xmi"
    path.write_text(text, encoding="utf-8")
    got = read_xmi(path)
    assert got.skipped == []
    return text, got.model


def test_every_kind_reads_back_as_the_same_model(tmp_path: Path) -> None:
    model = every_kind()
    text, back = round_trip(model, tmp_path)
    assert json.loads(gm.to_json(back)) == json.loads(gm.to_json(model))
    later = back.library("lib").get("later")
    assert isinstance(later, gm.ImportType) and later.autoresolve is False
    # Java's layout: variables, then the model's libraries, the common library last.
    assert text.index("<variables") < text.index("<libraries")
    assert text.rindex('<libraries id="common"') > text.index('<libraries id="other"')
    assert 'xsi:type="gep_2:TimeSeries"' in text and "<value>-65.0</value>" in text


def test_a_model_built_in_python_reads_back_the_same(tmp_path: Path) -> None:
    """The demo's model (a NeuroML cell added to Python types); its data sources are Python's."""
    model = demo.demo_project().build_model()
    _, back = round_trip(model, tmp_path)
    want = json.loads(gm.to_json(model))
    got = json.loads(gm.to_json(back))
    for key in ("dataSources", "queries"):
        want.pop(key, None)
        got.pop(key, None)
    assert got == want


def test_a_type_in_no_library_is_refused() -> None:
    model = gm.GeppettoModel("m")
    model.add_variable(gm.Variable("x", gm.CompositeType("floating")))
    with pytest.raises(XmiWriteError, match="'floating' is in no library"):
        write_xmi(model)
