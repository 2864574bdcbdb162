"""Real NeuroML and LEMS files nobody here wrote: the examples jNeuroML ships in its jar.

pyNeuroML's wheel carries `pyneuroml/lib/jNeuroML-*-jar-with-dependencies.jar`, a zip holding
the NeuroML2 repository's `examples/`, `LEMSexamples/` and `NeuroML2CoreTypes/`. They are read
with zipfile (no Java, and pyneuroml is never imported) into a folder once per session.
"""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from geppetto_dev import model as gm
from tests.model.client import ClientModel, refs, walk_server

_FOLDERS = ("examples/", "LEMSexamples/", "NeuroML2CoreTypes/")


def _jar() -> Path | None:
    spec = importlib.util.find_spec("pyneuroml")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        jars = sorted((Path(folder) / "lib").glob("jNeuroML-*-jar-with-dependencies.jar"))
        if jars:
            return jars[-1]
    return None


@pytest.fixture(scope="session")
def nml_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with examples/, LEMSexamples/ and NeuroML2CoreTypes/ from the jNeuroML jar."""
    jar = _jar()
    if jar is None:
        pytest.skip("pyneuroml (the `test` extra) is not installed: its jar holds the examples")
    out = tmp_path_factory.mktemp("jneuroml")
    with zipfile.ZipFile(jar) as z:
        for name in z.namelist():
            parts = PurePosixPath(name).parts
            if name.startswith(_FOLDERS) and not name.endswith("/") and ".." not in parts:
                target = out.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(name))
    return out


def check_client_refs(model: gm.GeppettoModel) -> int:
    """Serialize the model and resolve every $ref as the 0.3.8 client does; returns how many."""
    raw = json.loads(gm.to_json(model))
    client = ClientModel.create(raw)
    n = 0
    for where, r in refs(raw):
        got = client.resolve(r["$ref"])
        want = walk_server(raw, r["$ref"])
        assert got is not None, f"{where}: {r['$ref']} does not resolve on the client"
        assert want is not None and got.raw["id"] == want["id"], where
        assert r["eClass"] == got.raw["eClass"], where
        n += 1
    return n


def value(model: gm.GeppettoModel, path: str) -> Any:
    """The initial value of the variable at an instance path."""
    return model.pointer(path).variable.initial_value
