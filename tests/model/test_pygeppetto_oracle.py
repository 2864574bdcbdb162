"""pygeppetto 0.9.1 as the oracle: the same model built both ways writes the same structure,
once pygeppetto's known noise is normalised away (MODEL.md 3.2)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geppetto_dev import model as gm
from tests.model import demo, pg_demo
from tests.model.client import ClientModel

pytest.importorskip("pygeppetto")


def normalise(node: Any) -> Any:
    """Drop pygeppetto's noise: referencedVariables (transient in Java), synched flags, and the
    "geppetto_model.json#" resource prefix of refs. Indentation goes with json.loads."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in ("referencedVariables", "synched"):
                continue
            if k == "$ref" and isinstance(v, str):
                v = v.removeprefix("geppetto_model.json#")
            out[k] = normalise(v)
        return out
    if isinstance(node, list):
        return [normalise(v) for v in node]
    return node


def pygeppetto_json(model: Any, delta: bool = False) -> Any:
    from pygeppetto.model.model_serializer import GeppettoSerializer

    return json.loads(GeppettoSerializer.serialize(model, delta))


def test_same_model_same_structure() -> None:
    ours = json.loads(gm.to_json(demo.build()))
    theirs = normalise(pygeppetto_json(pg_demo.build()))
    assert ours == theirs


def test_pygeppetto_adapter_writes_the_same_compact_json() -> None:
    from geppetto_dev.model import pygeppetto as gp

    pg = pg_demo.build()
    assert gp.is_pygeppetto_model(pg) and not gp.is_pygeppetto_model(demo.build())
    text = gp.to_json(pg, delta=True)
    assert "\n" not in text and "referencedVariables" not in text
    assert json.loads(text) == json.loads(gm.to_json(demo.build()))
    delta = json.loads(gp.to_json(pg, delta=True))  # pygeppetto keeps sync state in the model
    assert delta["libraries"] == [{"synched": True}] * 2


def test_pygeppetto_replace_type_in_place_and_delta_merges() -> None:
    from pygeppetto.model.types import CompositeType

    from geppetto_dev.model import pygeppetto as gp

    pg = pg_demo.build()
    client = ClientModel.create(json.loads(gp.to_json(pg, delta=True)))
    lazy = gp.find_type(pg, "Model.demo.lazy_t")
    gp.replace_type(pg, lazy, CompositeType(id="lazy_t", name="lazy_t"))
    delta = json.loads(gp.to_json(pg, delta=True))
    types = delta["libraries"][1]["types"]
    assert [t == {"synched": True} for t in types] == [True, True, True, False, True]
    client.merge_model(delta, override_types=True)
    assert [t.eclass for t in client.libraries[1].types][3] == "CompositeType"
    assert pg.variables[0].types[0].variables[1].types[0].eClass.name == "CompositeType"


def test_pointers_match_pygeppetto_pointer_utility() -> None:
    from geppetto_dev.model import pygeppetto as gp

    m, pg = demo.build(), pg_demo.build()
    ts = gm.time_series([1.0, 2.0], "mV")
    rec = [("net.pop[2].v", ts), ("net(net).pop(pop)[0].gnabar(Parameter)", None), ("v0", None)]
    params = [("temperature", gm.PhysicalQuantity(7.0, "degC"))]
    ours = json.loads(gm.experiment_state_json(m, 1, 1, rec, params))
    theirs = json.loads(gp.experiment_state_json(pg, 1, 1, rec, params))
    assert ours == theirs
    with pytest.raises(KeyError):
        gp.experiment_state_json(pg, 1, 1, [("net.nope", None)])
