"""Real model files nobody here wrote, taken from packages on PyPI.

- The examples jNeuroML ships in its jar: pyNeuroML's wheel carries
  `pyneuroml/lib/jNeuroML-*-jar-with-dependencies.jar`, a zip holding the NeuroML2 repository's
  `examples/`, `LEMSexamples/` and `NeuroML2CoreTypes/`. They are read with zipfile (no Java,
  and pyneuroml is never imported) into a folder once per session.
- SWC and OBJ files inside the brian2 and navis wheels, downloaded once (`pip download
  --no-deps`, never installed or imported) into pytest's cache folder; tests that need one
  skip, saying why, when the package index cannot be reached.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from geppetto_dev import model as gm
from tests.model.client import ClientModel, refs, walk_server

DATA = Path(__file__).parent / "data"

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


def _jar_from_wheel(config: pytest.Config, folder: Path) -> Path | None:
    """Without pyneuroml installed, its jar out of the downloaded wheel."""
    with zipfile.ZipFile(_wheel(config, "pyneuroml")) as z:
        names = [n for n in z.namelist() if n.endswith("-jar-with-dependencies.jar")]
        if not names:
            return None
        target = folder / PurePosixPath(names[-1]).name
        target.write_bytes(z.read(names[-1]))
    return target


@pytest.fixture(scope="session")
def nml_root(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A folder with examples/, LEMSexamples/ and NeuroML2CoreTypes/ from the jNeuroML jar."""
    out = tmp_path_factory.mktemp("jneuroml")
    jar = _jar() or _jar_from_wheel(request.config, out)
    if jar is None:
        pytest.skip("neither pyneuroml nor its wheel has the jNeuroML jar that holds the examples")
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


def _wheel(config: pytest.Config, package: str) -> Path:
    cache = getattr(config, "cache", None)
    if cache is not None:
        folder = cache.mkdir(f"wheels-{package}")
    else:  # pytest -p no:cacheprovider: a folder of this run's
        folder = Path(tempfile.mkdtemp(prefix=f"wheels-{package}-"))
    found = sorted(folder.glob(f"{package}-*.whl"))
    if not found:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary",
                ":all:",
                "-q",
                "-d",
                str(folder),
                package,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        found = sorted(folder.glob(f"{package}-*.whl"))
        if not found:
            pytest.skip(f"could not download the {package} wheel: {done.stderr.strip()[-300:]}")
    return found[-1]


def _member(config: pytest.Config, package: str, member: str, target: Path) -> Path:
    wheel = _wheel(config, package)
    with zipfile.ZipFile(wheel) as z:
        if member not in z.namelist():
            pytest.skip(f"{wheel.name} has no {member}")
        target.write_bytes(z.read(member))
    return target


@pytest.fixture(scope="session")
def real_files(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A folder for files taken out of wheels."""
    return tmp_path_factory.mktemp("real")


@pytest.fixture(scope="session")
def brian2_swc(real_files: Path, request: pytest.FixtureRequest) -> Path:
    """NeuroMorpho.org's mp_ma_40984_gc2.CNG.swc as brian2 ships it (353 points, in um)."""
    return _member(
        request.config,
        "brian2",
        "brian2/spatialneuron/mp_ma_40984_gc2.CNG.swc",
        real_files / "mp_ma_40984_gc2.CNG.swc",
    )


@pytest.fixture(scope="session")
def navis_swc(real_files: Path, request: pytest.FixtureRequest) -> Path:
    """A hemibrain neuron skeleton as navis ships it (8 nm voxels, root of type 0)."""
    return _member(
        request.config, "navis", "navis/data/swc/722817260.swc", real_files / "722817260.swc"
    )


@pytest.fixture(scope="session")
def navis_obj(real_files: Path, request: pytest.FixtureRequest) -> Path:
    """The same neuron's mesh (OBJ, 534 KB)."""
    return _member(
        request.config, "navis", "navis/data/obj/722817260.obj", real_files / "722817260.obj"
    )


@pytest.fixture(scope="session")
def navis_volume(real_files: Path, request: pytest.FixtureRequest) -> Path:
    """The lateral horn neuropil volume (OBJ, 27 KB)."""
    return _member(request.config, "navis", "navis/data/volumes/lh.obj", real_files / "lh.obj")
