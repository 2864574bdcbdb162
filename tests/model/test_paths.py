"""Instance paths to pointers and objects to $ref strings, with the client's semantics."""

from __future__ import annotations

import pytest

from geppetto_dev import model as gm
from tests.model.demo import build


def test_pointer_through_an_array_element() -> None:
    m = build()
    p = m.pointer("net.pop[2].v")
    assert [(e.variable.id, e.type.id, e.index) for e in p.elements] == [
        ("net", "net", None),
        ("pop", "pop", 2),
        ("v", "StateVariable", None),
    ]
    assert p.path == "net.pop[2].v"
    assert p.instance_path == "net(net).pop(pop)[2].v(StateVariable)"
    assert p.type is gm.common.STATE_VARIABLE


def test_pointer_accepts_type_annotations() -> None:
    m = build()
    plain = m.pointer("net.pop[2].v")
    typed = m.pointer("net(net).pop(pop)[2].v(StateVariable)")
    assert typed.elements == plain.elements
    assert m.pointer("time(StateVariable)").variable is m.variable("time")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("nope", "no variable 'nope'"),
        ("net.pop[3].v", "out of range"),
        ("net.pop[0].x", "no variable 'x' in type 'cell'"),
        ("net(cell).pop", "has type 'net', not 'cell'"),
        ("net[0]", "not an array"),
        ("time.x", "has no variables"),
        ("net..pop", "bad token"),
    ],
)
def test_pointer_raises_key_error_for_absent_paths(path: str, message: str) -> None:
    with pytest.raises(KeyError, match=message.replace("(", r"\(").replace("[", r"\[")):
        build().pointer(path)


def test_refs_of_libraries_types_and_variables() -> None:
    m = build()
    cell = m.find_type("demo.cell")
    assert m.ref(cell) == "//@libraries.1/@types.1"
    assert m.ref(gm.common.STATE_VARIABLE) == "//@libraries.0/@types.2"
    assert m.ref(m.library("demo")) == "//@libraries.1"
    assert m.ref(m.variable("net")) == "//@variables.0"
    assert m.ref(m.pointer("net.pop[0].v").variable) == "//@libraries.1/@types.1/@variables.0"
    with pytest.raises(KeyError):
        m.ref(gm.CompositeType("elsewhere"))


def test_find_type_takes_the_client_s_paths() -> None:
    m = build()
    lazy = m.find_type("demo.lazy_t")
    assert isinstance(lazy, gm.ImportType)
    assert m.find_type("Model.demo.lazy_t") is lazy
    for bad in ("demo", "nolib.cell", "demo.nothing"):
        with pytest.raises(KeyError):
            m.find_type(bad)


def test_common_library_matches_pygeppetto_ids_and_order() -> None:
    ids = [t.id for t in build().libraries[0].types]
    assert ids[:12] == [
        "Parameter", "Dynamics", "StateVariable", "HTML", "URL", "Text",
        "Point", "Expression", "Visual", "Pointer", "Image", "connection",
    ]  # fmt: skip
    assert ids[12:] == ["particles", "JSON", "simplearray", "metadata", "edge", "node"]
