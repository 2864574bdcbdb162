"""Name rules: each failure names the rule it broke; the other forms derive from the name."""

from __future__ import annotations

from pathlib import Path

import pytest

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.scaffold.names import class_name, name_context, package_name_for, validate_name


@pytest.mark.parametrize(
    ("name", "rule", "hint"),
    [
        ("", "is empty", "snake_case"),
        ("foo-bar", "not a Python identifier", "'foo_bar'"),
        ("2fast", "not a Python identifier", "another name"),
        ("héllo", "not a Python identifier", ""),
        ("FooBar", "not snake_case", "'foo_bar'"),
        ("fooBar", "not snake_case", "'foo_bar'"),
        ("_private", "not snake_case", "'private'"),
        ("double__underscore", "not snake_case", "'double_underscore'"),
        ("trailing_", "not snake_case", "'trailing'"),
        ("class", "Python keyword", "'class_handler'"),
        ("import", "Python keyword", ""),
        ("json", "shadow the importable module 'json' (standard library)", "'my_json'"),
        ("sys", "shadow the importable module 'sys' (built in)", ""),
        ("flask", "shadow the importable module 'flask'", ""),
        ("geppetto_dev", "shadow the importable module 'geppetto_dev'", ""),
    ],
)
def test_bad_names_say_which_rule_failed(name: str, rule: str, hint: str) -> None:
    with pytest.raises(GeppettoDevError) as raised:
        validate_name(name)
    assert rule in raised.value.message
    assert hint in raised.value.hint


@pytest.mark.parametrize("name", ["people", "get_neurons", "v2", "a1_b2", "match", "hello"])
def test_good_names_pass(name: str) -> None:
    validate_name(name)


def test_the_current_folder_does_not_count_as_a_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `python -m` puts the current folder on sys.path; a project's data/ must not block "data".
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend("")
    validate_name("reports")


def test_a_module_inside_the_project_does_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # e.g. the project's own package after `pip install -e .`
    (tmp_path / "src" / "mine").mkdir(parents=True)
    (tmp_path / "src" / "mine" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    with pytest.raises(GeppettoDevError, match="shadow"):
        validate_name("mine")
    validate_name("mine", project_dir=tmp_path)


def test_derived_forms() -> None:
    assert class_name("people") == "People"
    assert class_name("get_neuron_v2") == "GetNeuronV2"
    forms = name_context("cell_types")
    assert forms["class_name"] == "CellTypes"
    assert forms["url_path"] == "/cell_types"
    assert forms["api_path"] == "/api/cell_types"
    assert forms["name"] == "cell_types"


@pytest.mark.parametrize(
    ("folder", "package"),
    [("my-project", "my_project"), ("MyProject", "my_project"), ("2048 game", "app_2048_game")],
)
def test_package_name_for_a_folder(folder: str, package: str) -> None:
    assert package_name_for(folder) == package
    validate_name(package)
