"""The shipped fixes of v0.3.8-alpha: found by the real package.json, agreeing with the lockfile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geppetto_dev.frontend.manifest import Manifest
from geppetto_dev.frontend.releases import find_release, known_releases
from tests.fixtures.classic_frontend import make_classic_remote, original_package_json
from tests.frontend.conftest import needs_node


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> str:
    return original_package_json(make_classic_remote(tmp_path_factory.mktemp("c") / "fe.git"))


def test_the_release_is_shipped_with_its_lockfile() -> None:
    (release,) = [r for r in known_releases() if r.name == "v0.3.8-alpha"]
    assert release.lockfile is not None and release.lockfile.is_file()
    assert release.install_args == ("--ignore-scripts",)


@needs_node
def test_the_real_package_json_finds_the_release_and_any_edit_does_not(released: str) -> None:
    release = find_release(released)
    assert release is not None and release.name == "v0.3.8-alpha"
    assert find_release(released.replace("\n", "\r\n")) == release
    assert find_release(released.replace('"three": "0.87.0"', '"three": "0.88.0"')) is None


@needs_node
def test_the_lockfile_is_exactly_the_patched_package_json(released: str, tmp_path: Path) -> None:
    """npm ci refuses a lockfile that disagrees with package.json; this catches it offline."""
    release = find_release(released)
    assert release is not None and release.lockfile is not None
    manifest = Manifest(tmp_path / "package.json", released, json.loads(released))
    manifest.pin(release.pins)
    manifest.override(release.overrides)
    lock = json.loads(release.lockfile.read_text(encoding="utf-8"))
    root = lock["packages"][""]
    assert lock["lockfileVersion"] == 3  # read by npm 7 and later
    assert root["devDependencies"] == manifest.data["devDependencies"]
    assert "dependencies" not in root and "dependencies" not in manifest.data
    packages = lock["packages"]
    for name, spec in release.overrides.items():
        assert packages[f"node_modules/{name}"]["version"] == spec
    for name, spec in release.pins.items():
        if spec is False:
            assert f"node_modules/{name}" not in packages
        else:
            assert packages[f"node_modules/{name}"]["version"] == spec
    # Registry only: no git, no tarball URLs, nothing that downloads binaries at install.
    for path, entry in packages.items():
        assert "git" not in entry.get("resolved", ""), path
        assert entry.get("resolved", "https://registry.npmjs.org/").startswith(
            "https://registry.npmjs.org/"
        ), path
    assert not [p for p in packages if p.endswith(("-bin", "/gifsicle"))]
