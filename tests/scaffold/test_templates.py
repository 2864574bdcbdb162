"""The template tree itself: every file is a template, and no tool mistakes one for code."""

from __future__ import annotations

from geppetto_dev.scaffold.engine import KINDS, TEMPLATE_SUFFIX, templates_root

from .conftest import REPO


def test_templates_are_found_in_the_source_tree() -> None:
    assert str(templates_root()) == str(REPO / "scaffold_templates")


def test_every_kind_and_the_project_have_templates() -> None:
    root = REPO / "scaffold_templates"
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == sorted([*KINDS, "project"])


def test_every_template_file_ends_in_the_suffix() -> None:
    # A file without it would be left out of every plan without a word.
    files = [p for p in (REPO / "scaffold_templates").rglob("*") if p.is_file()]
    assert files
    strays = [str(p) for p in files if not p.name.endswith(TEMPLATE_SUFFIX)]
    assert strays == []
    assert not [p for p in files if p.suffix in (".py", ".pyi", ".toml", ".cfg")]
