"""What every test of a model file checks of the model it gives: the EMF-JSON the clients get,
every ``$ref`` resolving (through the port of the client's resolve) to what it names."""

from __future__ import annotations

import json
from typing import Any

from geppetto_dev import model as gm
from tests.model.client import ClientModel, refs, walk_server


def client_view(m: gm.GeppettoModel) -> tuple[dict[str, Any], ClientModel, int]:
    """(the JSON, the client's model of it, how many $refs resolved); fails on any that does
    not resolve to the object of the same id and eClass on both sides."""
    raw = json.loads(gm.to_json(m))
    client = ClientModel.create(raw)
    n = 0
    for where, r in refs(raw):
        got = client.resolve(r["$ref"])
        want = walk_server(raw, r["$ref"])
        assert got is not None, f"{where}: {r['$ref']} does not resolve on the client"
        assert want is not None, f"{where}: {r['$ref']} names nothing"
        assert got.raw["id"] == want["id"], where
        assert r["eClass"] == got.raw["eClass"] == want["eClass"], where
        n += 1
    return raw, client, n
