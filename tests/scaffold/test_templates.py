"""The template tree itself: every file is a template, and no tool mistakes one for code."""

from __future__ import annotations

from pathlib import Path

from geppetto_dev.scaffold.engine import (
    FRONTEND_TEMPLATES,
    KINDS,
    TEMPLATE_SUFFIX,
    plan_frontend,
    templates_root,
)

from .conftest import REPO


def test_templates_are_found_in_the_source_tree() -> None:
    assert str(templates_root()) == str(REPO / "scaffold_templates")


def test_every_kind_and_the_project_have_templates() -> None:
    root = REPO / "scaffold_templates"
    expected = [*KINDS, "project", *FRONTEND_TEMPLATES.values()]
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == sorted(expected)


def test_the_meta_frontend_template_plans_whole_and_verbatim(tmp_path: Path) -> None:
    # No placeholders: each planned file is the template file byte for byte (so the embedded
    # build's hash of the template is a hash of what init writes).
    plan = plan_frontend("meta", tmp_path)
    names = {f.relpath.as_posix() for f in plan.files}
    assert {".npmrc", "package.json", "package-lock.json", "webpack.config.js"} <= names
    assert {"GeppettoConfiguration.json", "src/index.js", "src/App.js"} <= names
    root = REPO / "scaffold_templates" / "frontend-meta"
    for planned in plan.files:
        name = planned.relpath.name
        source_name = ("dot_" + name[1:] if name.startswith(".") else name) + TEMPLATE_SUFFIX
        source = root / planned.relpath.parent / source_name
        assert planned.content == source.read_text(encoding="utf-8"), planned.relpath


def test_every_template_file_ends_in_the_suffix() -> None:
    # A file without it would be left out of every plan without a word.
    files = [p for p in (REPO / "scaffold_templates").rglob("*") if p.is_file()]
    assert files
    strays = [str(p) for p in files if not p.name.endswith(TEMPLATE_SUFFIX)]
    assert strays == []
    assert not [p for p in files if p.suffix in (".py", ".pyi", ".toml", ".cfg")]
