"""npm-pins, the install stamp and clean reinstalls, with real npm against the fixture remote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geppetto_dev.config import load_settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.frontend.manifest import Manifest, check_overrides, git_dependencies
from tests.frontend.conftest import needs_node, run_cli

PACKAGE = {"name": "w", "devDependencies": {"underscore": "^1.8.3", "g": "https://h/x/g.git"}}


def _manifest(tmp_path: Path) -> Manifest:
    return Manifest(tmp_path / "package.json", json.dumps(PACKAGE), json.loads(json.dumps(PACKAGE)))


def test_pins_set_add_and_drop_direct_dependencies(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path)
    changed = manifest.pin({"underscore": "1.8.3", "file-loader": "1.1.11", "g": False})
    assert changed == ["underscore@1.8.3", "file-loader@1.1.11", "-g"]
    assert manifest.data["devDependencies"] == {"underscore": "1.8.3", "file-loader": "1.1.11"}
    assert manifest.pin({"underscore": "1.8.3"}) == []


def test_an_override_of_a_direct_dependency_is_refused_before_npm_runs(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path)
    with pytest.raises(GeppettoDevError) as caught:
        check_overrides(manifest, {"underscore": "1.8.3"})
    assert "EOVERRIDE" in caught.value.message
    assert caught.value.hint == 'move it to [tool.geppetto-dev.npm-pins]: "underscore" = "1.8.3"'
    check_overrides(manifest, {"underscore": "$underscore", "get-intrinsic": "1.3.0"})
    assert git_dependencies(manifest) == {"g": "https://h/x/g.git"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('"Bad Name" = "1.0"', "not an npm package name"),
        ('"x" = true', "or false to drop it"),
        ('"x" = ""', "or false to drop it"),
    ],
)
def test_bad_pins_are_refused_with_what_to_fix(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.geppetto-dev.npm-pins]\n{table}\n")
    with pytest.raises(GeppettoDevError) as caught:
        load_settings(project_dir=tmp_path, environ={})
    assert message in caught.value.message


@needs_node
def test_pins_reinstall_cleanly_and_an_unchanged_rerun_is_up_to_date(
    inited: Path, tmp_path: Path
) -> None:
    webapp = inited / "frontend" / "src" / "main" / "webapp"
    local = tmp_path / "local-dep"
    local.mkdir()
    (local / "package.json").write_text('{"name": "local-dep", "version": "1.0.0"}\n')
    (webapp / "node_modules" / "stale-from-before").mkdir(parents=True)
    pyproject = inited / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + f'\n[tool.geppetto-dev.npm-pins]\n"local-dep" = "file:{local}"\n'
    )

    done = run_cli("init", cwd=inited)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"ok npm pins written to package.json: local-dep@file:{local}" in done.stdout
    assert "removing node_modules for a clean one" in done.stdout
    assert not (webapp / "node_modules" / "stale-from-before").exists()
    assert (webapp / "node_modules" / "local-dep" / "package.json").is_file()
    assert json.loads((webapp / "package.json").read_text())["devDependencies"] == {
        "local-dep": f"file:{local}"
    }

    # The edited package.json is init's own change: the rerun is clean, and nothing reinstalls.
    again = run_cli("init", cwd=inited)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "ok npm install: up to date" in again.stdout
    assert "ok npm run build-dev-noTest: up to date" in again.stdout
    assert "ok page frontend/src/main/webapp/build/geppetto.vm: main.bundle.js" in again.stdout

    # A source edit rebuilds without reinstalling.
    (webapp / "js" / "extra.js").write_text("window.extra = 1;\n")
    third = run_cli("init", cwd=inited)
    assert "ok npm install: up to date" in third.stdout
    assert "ok npm run build-dev-noTest (" in third.stdout
