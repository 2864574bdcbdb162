"""EMF-JSON and deltas, checked through a port of the client's createGeppettoModel/mergeModel."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geppetto_dev import model as gm
from tests.model.client import ClientModel, refs, walk_server
from tests.model.demo import build

PH = {"synched": True}


def full(m: gm.GeppettoModel) -> dict[str, Any]:
    return json.loads(gm.to_json(m))


def check_refs(client: ClientModel, message: dict[str, Any], server: dict[str, Any]) -> int:
    """Every $ref in the message names, in the client's merged model, what it names on the
    server (same id and eClass); returns how many were checked."""
    n = 0
    for where, r in refs(message):
        got = client.resolve(r["$ref"])
        want = walk_server(server, r["$ref"])
        assert got is not None, f"{where}: {r['$ref']} does not resolve on the client"
        assert want is not None, f"{where}: {r['$ref']} names nothing on the server"
        assert got.raw["id"] == want["id"], where
        assert r["eClass"] == got.raw["eClass"] == want["eClass"], where
        n += 1
    return n


def assert_aligned(client: ClientModel, server: dict[str, Any]) -> None:
    assert [lib.id for lib in client.libraries] == [lib["id"] for lib in server["libraries"]]
    for clib, slib in zip(client.libraries, server["libraries"], strict=True):
        assert [(t.id, t.eclass) for t in clib.types] == [
            (t["id"], t["eClass"]) for t in slib["types"]
        ], clib.id
    assert [v.id for v in client.variables] == [v["id"] for v in server["variables"]]


def test_whole_model_shape_and_refs() -> None:
    m = build()
    text = gm.to_json(m)
    assert "\n" not in text
    raw = json.loads(text)
    assert raw["eClass"] == "GeppettoModel" and raw["id"] == "demo" and raw["name"] == "Demo"
    assert "synched" not in text and "referencedVariables" not in text
    common = raw["libraries"][0]
    assert common["id"] == "common" and len(common["types"]) == 18
    client = ClientModel.create(raw)
    assert check_refs(client, raw, raw) > 20
    # The NetPyNE-UI pattern: an array of a cell type with a visual type, one element per cell.
    pop = walk_server(raw, "//@libraries.1/@types.2")
    assert pop is not None and pop["eClass"] == "ArrayType" and pop["size"] == 3
    assert [e["position"]["x"] for e in pop["defaultValue"]["elements"]] == [0.0, 100.0, 200.0]
    assert pop["arrayType"]["$ref"] == "//@libraries.1/@types.1"
    time = raw["variables"][-1]
    assert time["id"] == "time"
    assert time["types"][0] == {"eClass": "StateVariableType", "$ref": "//@libraries.0/@types.2"}
    assert time["initialValues"][0]["value"] == {
        "eClass": "PhysicalQuantity",
        "unit": {"eClass": "Unit", "unit": "s"},
    }


def test_values_are_written_as_the_clients_read_them() -> None:
    raw = full(build())
    morph = raw["libraries"][1]["types"][0]
    soma, dend, cloud = (v["initialValues"][0]["value"] for v in morph["variables"])
    assert soma == {
        "eClass": "Sphere",
        "position": {"eClass": "Point", "x": 0.0, "y": 0.0, "z": 0.0},
        "radius": 5.0,
    }
    assert dend["eClass"] == "Cylinder" and dend["bottomRadius"] == 1.0
    assert dend["topRadius"] == 2.0 and dend["distal"]["y"] == 50.0
    assert cloud["particles"][1] == {"eClass": "Point", "x": 4.0, "y": 5.0, "z": 6.0}
    v, g, about = raw["libraries"][1]["types"][1]["variables"]
    assert v["initialValues"][0]["value"]["value"] == [-65.0, -64.5, -60.0]
    assert g["initialValues"][0]["value"]["unit"]["unit"] == "S/cm2"
    assert about["initialValues"][0]["value"] == {"eClass": "Text", "text": "a cell"}
    html = next(v for v in raw["variables"] if v["id"] == "info")
    assert html["initialValues"][0]["value"] == {"eClass": "HTML", "html": "<b>hi</b>"}


def test_first_delta_is_the_whole_model_then_placeholders() -> None:
    m = build()
    sync = gm.SyncState()
    assert gm.to_json(m, sync) == gm.to_json(m)
    again = json.loads(gm.to_json(m, sync))
    assert again["libraries"] == [PH, PH]
    assert again["variables"] == [PH] * len(m.variables)


def test_replace_import_type_keeps_positions() -> None:
    m = build()
    sync = gm.SyncState()
    client = ClientModel.create(json.loads(gm.to_json(m, sync)))
    lazy = m.find_type("demo.lazy_t")
    resolved = gm.CompositeType("lazy_t", variables=[gm.state_variable("w")])
    m.replace_type(lazy, resolved)
    delta = json.loads(gm.to_json(m, sync))
    assert delta["libraries"][0] == PH
    types = delta["libraries"][1]["types"]
    assert [t == PH for t in types] == [True, True, True, False, True]
    assert types[3]["eClass"] == "CompositeType" and types[3]["variables"][0]["id"] == "w"
    client.merge_model(delta, override_types=True)
    server = full(m)
    assert_aligned(client, server)
    check_refs(client, delta, server)
    # A type appended after the swap lands at the server's index on the client too.
    extra = m.library("demo").add(gm.CompositeType("extra", variables=[gm.text("t", "x")]))
    m.add_variable(gm.Variable("extra", extra))
    delta = json.loads(gm.to_json(m, sync))
    client.merge_model(delta)
    server = full(m)
    assert_aligned(client, server)
    assert check_refs(client, delta, server) >= 2
    assert m.pointer("net.lazy.w").variable.id == "w"  # the variable was re-pointed


def test_add_variable_and_library_deltas_append() -> None:
    m = build()
    sync = gm.SyncState()
    client = ClientModel.create(json.loads(gm.to_json(m, sync)))
    lib2 = m.add_library("fetched", "Fetched")
    t = lib2.add(gm.CompositeType("neuron", variables=[gm.sphere("s", 2.0)]))
    m.add_variable(gm.Variable("VFB_1", t))
    delta = json.loads(gm.to_json(m, sync))
    assert delta["libraries"][:2] == [PH, PH] and delta["libraries"][2]["id"] == "fetched"
    assert delta["variables"][:-1] == [PH] * (len(m.variables) - 1)
    client.merge_model(delta)
    server = full(m)
    assert_aligned(client, server)
    assert check_refs(client, delta, server) == 3


def test_type_built_earlier_is_sent_whole_when_added_later() -> None:
    m = build()
    sync = gm.SyncState()
    early = gm.CompositeType("early", variables=[gm.text("a", "x"), gm.text("b", "y")])
    gm.to_json(m, sync)
    m.library("demo").add(early)
    types = json.loads(gm.to_json(m, sync))["libraries"][1]["types"]
    assert types[-1]["variables"][1]["id"] == "b"


def test_two_connections_get_independent_deltas() -> None:
    m = build()
    a, b = gm.SyncState(), gm.SyncState()
    gm.to_json(m, a)
    m.add_variable(gm.text("note", "x"))
    da = json.loads(gm.to_json(m, a))
    assert [v != PH for v in da["variables"]].count(True) == 1
    db = json.loads(gm.to_json(m, b))
    assert PH not in db["variables"] and db == full(m)  # b never saw anything: whole model
    assert json.loads(gm.to_json(m, a))["variables"] == [PH] * len(m.variables)
    m.add_variable(gm.text("note2", "y"))
    for s in (a, b):
        d = json.loads(gm.to_json(m, s))
        assert [v["id"] for v in d["variables"] if v != PH] == ["note2"]


def test_set_initial_value_delta_merges_as_a_value() -> None:
    m = build()
    sync = gm.SyncState()
    client = ClientModel.create(json.loads(gm.to_json(m, sync)))
    m.set_initial_value("net.pop[1].v", gm.time_series([0.0, 1.0], unit="mV"))
    delta = json.loads(gm.to_json(m, sync))
    assert delta["libraries"][0] == PH and delta["variables"] == [PH] * len(m.variables)
    cell = delta["libraries"][1]["types"][1]
    assert [v == PH for v in cell["variables"]] == [False, True, True]
    var = client.merge_value(delta)
    assert var.raw["initialValues"][0]["value"]["value"] == [0.0, 1.0]
    check_refs(client, delta, full(m))


def test_bad_uses_get_clear_errors() -> None:
    m = build()
    orphan = gm.CompositeType("orphan")
    m.add_variable(gm.Variable("x", orphan))
    with pytest.raises(ValueError, match=r"orphan.*library\.add"):
        gm.to_json(m)
    m = build()
    with pytest.raises(ValueError, match="keep the id"):
        m.replace_type(m.find_type("demo.lazy_t"), gm.CompositeType("other"))
    with pytest.raises(ValueError, match="already has"):
        m.add_variable(gm.text("about", "again"))
    with pytest.raises(ValueError, match="already has a type"):
        m.library("demo").add(gm.CompositeType("cell"))
    sync = gm.SyncState()
    gm.to_json(m, sync)
    with pytest.raises(ValueError, match="another model"):
        gm.to_json(build(), sync)


def test_ensure_time_is_idempotent() -> None:
    m = build()
    n = len(m.variables)
    assert m.ensure_time() is m.ensure_time()
    assert len(m.variables) == n


def test_library_built_elsewhere_is_sent_whole_when_attached() -> None:
    m = build()
    sync = gm.SyncState()
    client = ClientModel.create(json.loads(gm.to_json(m, sync)))
    lib = gm.GeppettoLibrary("built", types=[gm.CompositeType("t", variables=[gm.text("a", "")])])
    m.attach_library(lib)
    delta = json.loads(gm.to_json(m, sync))
    assert delta["libraries"][2]["types"][0]["variables"][0]["id"] == "a"
    client.merge_model(delta)
    assert_aligned(client, full(m))
