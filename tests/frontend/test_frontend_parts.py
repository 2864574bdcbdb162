"""The parts of init on their own: progress output, pyproject edits, clone checks, overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geppetto_dev.config import load_settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.frontend import git as frontend_git
from geppetto_dev.frontend import manifest
from geppetto_dev.frontend.preflight import preflight
from tests.fixtures.frontend_repo import git
from tests.frontend.conftest import needs_node


def test_overrides_merge_into_package_json_keeping_its_indent(tmp_path: Path) -> None:
    package = tmp_path / "package.json"
    package.write_text('{\n    "name": "w",\n    "overrides": {"a": "1"}\n}\n')
    assert manifest.apply_overrides(tmp_path, {"b": "2"})
    assert json.loads(package.read_text())["overrides"] == {"a": "1", "b": "2"}
    assert '\n    "name"' in package.read_text()
    assert not manifest.apply_overrides(tmp_path, {})


def test_preflight_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(GeppettoDevError) as caught:
        preflight(("node",))
    assert caught.value.message == "node was not found on PATH"
    assert "https://nodejs.org" in caught.value.hint


@needs_node
def test_a_clone_of_another_repository_is_refused(inited: Path, remote: Path) -> None:
    settings = load_settings({"frontend_repo": str(remote)}, project_dir=inited, environ={})
    with pytest.raises(GeppettoDevError) as caught:
        frontend_git.check_clone(settings)
    assert "comes from" in caught.value.message


@needs_node
def test_local_commits_in_the_clone_are_refused(inited: Path) -> None:
    clone = inited / "frontend"
    (clone / "NOTES.md").write_text("mine\n")
    git(clone, "add", "NOTES.md")
    git(clone, "commit", "-q", "-m", "my notes")
    settings = load_settings(project_dir=inited, environ={})
    with pytest.raises(GeppettoDevError) as caught:
        frontend_git.check_clone(settings)
    assert "no remote branch or tag" in caught.value.message


@needs_node
def test_a_folder_that_is_not_a_clone_is_refused(tmp_path: Path) -> None:
    (tmp_path / "frontend").mkdir()
    settings = load_settings(project_dir=tmp_path, environ={})
    with pytest.raises(GeppettoDevError) as caught:
        frontend_git.check_clone(settings)
    assert "not a git clone" in caught.value.message
