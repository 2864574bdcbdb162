"""ExperimentState: the shape experiment_loaded carries; pointers resolved as the client does."""

from __future__ import annotations

import json

import pytest

from geppetto_dev import model as gm
from tests.model.client import ClientModel, CVar
from tests.model.demo import build


def test_shape_with_time_values_and_parameters() -> None:
    m = build()
    ts = gm.time_series([-65.0, -60.0], unit="mV")
    state = json.loads(
        gm.experiment_state_json(
            m,
            1,
            "1",
            [("net.pop[2].v", ts), ("v0", None)],
            [("temperature", gm.PhysicalQuantity(30.0, "degC"))],
        )
    )
    assert state["eClass"] == "ExperimentState"
    assert (state["experimentId"], state["projectId"]) == (1, "1")
    paths = [r["pointer"]["path"] for r in state["recordedVariables"]]
    assert paths == ["time", "net.pop[2].v", "v0"]
    time, v, v0 = state["recordedVariables"]
    assert "value" not in time and "value" not in v0
    assert v["value"] == {
        "eClass": "TimeSeries",
        "value": [-65.0, -60.0],
        "unit": {"eClass": "Unit", "unit": "mV"},
    }
    elements = v["pointer"]["elements"]
    assert [e.get("index") for e in elements] == [None, 2, None]
    assert elements[1]["type"] == {"eClass": "ArrayType", "$ref": "//@libraries.1/@types.2"}
    assert elements[2]["variable"] == {
        "eClass": "Variable",
        "$ref": "//@libraries.1/@types.1/@variables.0",
    }
    (param,) = state["setParameters"]
    assert param["value"]["value"] == 30.0

    # The client rebuilds the instance path from the resolved refs (ExperimentsController).
    client = ClientModel.create(json.loads(gm.to_json(m)))
    for rec in state["recordedVariables"]:
        parts = []
        for e in rec["pointer"]["elements"]:
            var = client.resolve(e["variable"]["$ref"])
            typ = client.resolve(e["type"]["$ref"])
            assert isinstance(var, CVar) and typ is not None
            assert typ.raw["eClass"] == e["type"]["eClass"]
            parts.append(var.id + (f"[{e['index']}]" if "index" in e else ""))
        assert ".".join(parts) == rec["pointer"]["path"]


def test_time_is_not_added_twice_and_typed_paths_work() -> None:
    m = build()
    state = gm.experiment_state_dict(m, 2, 1, [("time(StateVariable)", None)])
    assert [r["pointer"]["path"] for r in state["recordedVariables"]] == ["time(StateVariable)"]


def test_missing_time_or_path_is_a_key_error() -> None:
    m = gm.GeppettoModel("bare")
    with pytest.raises(KeyError, match="ensure_time"):
        gm.experiment_state_json(m, 1, 1, [])
    m.ensure_time()
    assert json.loads(gm.experiment_state_json(m, 1, 1, []))["recordedVariables"]
    with pytest.raises(KeyError, match="nope"):
        gm.experiment_state_json(m, 1, 1, [("nope", None)])
