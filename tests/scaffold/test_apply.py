"""Plan then apply: statuses, dry runs, conflicts that write nothing, and no half scaffolds."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.scaffold.engine import (
    Plan,
    PlannedFile,
    ScaffoldConflict,
    apply_plan,
    format_results,
    plan_project,
    render,
)

from .conftest import make_project, project_context, snapshot


def plan_of(root: Path, **files: str) -> Plan:
    return Plan(
        root,
        tuple(PlannedFile(PurePosixPath(k.replace("__", "/")), v) for k, v in files.items()),
    )


def test_render_replaces_placeholders_and_refuses_unknown_ones() -> None:
    assert render("x = {{ name }}; {{name}}", {"name": "a"}) == "x = a; a"
    assert render("{'a': {'b': 1}}", {}) == "{'a': {'b': 1}}"
    with pytest.raises(KeyError, match="nope"):
        render("{{ nope }}", {"name": "a"})


def test_creates_files_and_folders(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, a__b__c_py="c", top_txt="t")
    results = apply_plan(plan)
    assert [s for s, _ in results] == ["create", "create"]
    assert (tmp_path / "a" / "b" / "c_py").read_text() == "c"
    assert (tmp_path / "top_txt").read_text() == "t"
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, a__b_py="b")
    assert apply_plan(plan, dry_run=True) == [("create", tmp_path / "a" / "b_py")]
    assert list(tmp_path.iterdir()) == []


def test_identical_conflict_skip_force(tmp_path: Path) -> None:
    (tmp_path / "same").write_text("same")
    (tmp_path / "mine").write_text("user's edit")
    plan = plan_of(tmp_path, same="same", mine="template", new="new")

    with pytest.raises(ScaffoldConflict) as raised:
        apply_plan(plan)
    assert [s for s, _ in raised.value.results] == ["identical", "conflict", "create"]
    assert "--force" in raised.value.hint
    assert "mine" in raised.value.message
    assert not (tmp_path / "new").exists(), "a conflict must write nothing at all"

    assert [s for s, _ in apply_plan(plan, on_existing="skip")] == ["identical", "skip", "create"]
    assert (tmp_path / "mine").read_text() == "user's edit"

    (tmp_path / "new").unlink()
    results = apply_plan(plan, on_existing="force")
    assert [s for s, _ in results] == ["identical", "force", "create"]
    assert (tmp_path / "mine").read_text() == "template"


def test_dry_run_reports_conflicts_too(tmp_path: Path) -> None:
    (tmp_path / "mine").write_text("user's edit")
    with pytest.raises(ScaffoldConflict):
        apply_plan(plan_of(tmp_path, mine="template"), dry_run=True)
    forced = apply_plan(plan_of(tmp_path, mine="template"), on_existing="force", dry_run=True)
    assert forced == [("force", tmp_path / "mine")]
    assert (tmp_path / "mine").read_text() == "user's edit"


def test_force_keeps_the_file_mode(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("old")
    script.chmod(0o755)
    apply_plan(Plan(tmp_path, (PlannedFile(PurePosixPath("run.sh"), "new"),)), on_existing="force")
    assert script.read_text() == "new"
    assert script.stat().st_mode & 0o777 == 0o755


def test_a_folder_in_the_way_is_an_error_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "thing").mkdir()
    with pytest.raises(GeppettoDevError, match="not a file"):
        apply_plan(plan_of(tmp_path, thing="x", other="y"), on_existing="force")
    assert not (tmp_path / "other").exists()


def test_a_failure_part_way_leaves_nothing_behind(tmp_path: Path) -> None:
    # The second file's folder cannot be made (a file has its name), after the first was staged.
    (tmp_path / "blocker").write_text("a file, not a folder")
    before = snapshot(tmp_path)
    plan = plan_of(tmp_path, a__first="1", blocker__second="2")
    with pytest.raises(OSError):
        apply_plan(plan)
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_format_results_aligns_status_words(tmp_path: Path) -> None:
    lines = format_results([("create", tmp_path / "a.py"), ("identical", tmp_path / "b")], tmp_path)
    assert lines == ["    create  a.py", " identical  b"]


def test_starter_project_plan(tmp_path: Path) -> None:
    plan = plan_project(tmp_path / "p", project_context("demo_app"))
    paths = {f.relpath.as_posix() for f in plan.files}
    assert {
        ".gitignore",
        "pyproject.toml",
        "demo_app/app.py",
        "demo_app/storage.py",
        "demo_app/api/people.py",
        "demo_app/handlers/hello.py",
        "demo_app/projects/demo.py",
        "demo_app/blueprints/__init__.py",
        "tests/test_app.py",
    } <= paths
    assert not any("{{" in f.content or "{{" in p for f in plan.files for p in paths)
    pyproject = next(f.content for f in plan.files if f.relpath.name == "pyproject.toml")
    assert 'app = "demo_app.app:create_app"' in pyproject
    assert 'handlers = "demo_app.handlers"' in pyproject
    assert 'projects = "demo_app.projects"' in pyproject


def test_starter_project_twice_is_identical(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    before = snapshot(root)
    results = apply_plan(plan_project(root, project_context()))
    assert {s for s, _ in results} == {"identical"}
    assert snapshot(root) == before


def test_project_context_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="frontend_ref"):
        plan_project(tmp_path, {k: v for k, v in project_context().items() if k != "frontend_ref"})
    with pytest.raises(GeppettoDevError, match="quote"):
        plan_project(tmp_path, {**project_context(), "frontend_repo": 'x"y'})
    with pytest.raises(GeppettoDevError, match="package name 'json'") as raised:
        plan_project(tmp_path / "json", project_context("json"))
    assert "project folder 'json'" in raised.value.hint
