"""Settings precedence and validation: CLI > environment > pyproject.toml > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from geppetto_dev.config import load_settings, read_pyproject
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.scaffold.pyproject import write_tool_keys


def write_pyproject(path: Path, body: str) -> None:
    (path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.geppetto-dev]\n{body}\n")


def test_defaults_are_safe(tmp_path: Path) -> None:
    settings = load_settings(project_dir=tmp_path, environ={})
    assert settings.host == "127.0.0.1"
    assert settings.port == 5000
    assert settings.context_path == "org.geppetto.frontend"
    assert settings.allowed_origins == ()
    assert not settings.dev and settings.trusted_proxies == ()


def test_cli_beats_env_beats_file_beats_default(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'port = 7000\nhost = "0.0.0.0"\napp = "file:app"')
    env = {"GEPPETTO_DEV_PORT": "7100", "GEPPETTO_DEV_APP": "env:app"}
    settings = load_settings({"port": 7200, "host": None}, project_dir=tmp_path, environ=env)
    assert settings.port == 7200  # CLI
    assert settings.app == "env:app"  # environment
    assert settings.host == "0.0.0.0"  # file
    assert settings.geppetto_version == "0.3.8"  # default


def test_lists_paths_and_tables_from_file_and_env(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        'allowed-origins = ["http://a.example"]\nfrontend-dir = "web"\n'
        '[tool.geppetto-dev.npm-overrides]\nleft-pad = "1.3.0"',
    )
    settings = load_settings(
        project_dir=tmp_path, environ={"GEPPETTO_DEV_PRIVILEGES": "READ_PROJECT, ADMIN"}
    )
    assert settings.allowed_origins == ("http://a.example",)
    assert settings.frontend_path == (tmp_path / "web").resolve()
    assert settings.npm_overrides == {"left-pad": "1.3.0"}
    assert settings.privileges == ("READ_PROJECT", "ADMIN")


def test_unknown_key_names_the_known_ones(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "prot = 1")
    with pytest.raises(GeppettoDevError) as info:
        load_settings(project_dir=tmp_path, environ={})
    assert "prot" in info.value.message and "port" in info.value.hint


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"GEPPETTO_DEV_PORT": "eighty"}, "integer"),
        ({"GEPPETTO_DEV_DEV": "maybe"}, "true or false"),
        ({"GEPPETTO_DEV_PORT": "70000"}, "out of range"),
    ],
)
def test_bad_values_are_explained(tmp_path: Path, env: dict[str, str], needle: str) -> None:
    with pytest.raises(GeppettoDevError) as info:
        load_settings(project_dir=tmp_path, environ=env)
    assert needle in str(info.value)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.geppetto-dev\n")
    with pytest.raises(GeppettoDevError, match="not valid TOML"):
        load_settings(project_dir=tmp_path, environ={})


def test_database_defaults_to_a_file_in_data(tmp_path: Path) -> None:
    settings = load_settings(project_dir=tmp_path, environ={})
    assert settings.database == f"sqlite:///{tmp_path.resolve() / 'data' / 'geppetto-dev.sqlite3'}"
    assert settings.experiment_cluster is None


def test_database_and_cluster_from_file_and_env(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'database-url = "sqlite:///x.db"')
    env = {"GEPPETTO_DEV_EXPERIMENT_CLUSTER": "tcp://127.0.0.1:8786"}
    settings = load_settings(project_dir=tmp_path, environ=env)
    assert settings.database == "sqlite:///x.db"
    assert settings.experiment_cluster == "tcp://127.0.0.1:8786"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"GEPPETTO_DEV_DATABASE_URL": "data/x.sqlite3"}, "database-url"),
        ({"GEPPETTO_DEV_EXPERIMENT_CLUSTER": "127.0.0.1"}, "experiment-cluster"),
        ({"GEPPETTO_DEV_EXPERIMENT_CLUSTER": "http://h:8787"}, "experiment-cluster"),
    ],
)
def test_bad_storage_settings_are_explained(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    with pytest.raises(GeppettoDevError) as info:
        load_settings(project_dir=tmp_path, environ=env)
    assert needle in info.value.message and "e.g." in info.value.hint


def test_trusted_proxies_are_addresses_or_networks(tmp_path: Path) -> None:
    env = {"GEPPETTO_DEV_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,::1"}
    settings = load_settings(project_dir=tmp_path, environ=env)
    assert settings.trusted_proxies == ("127.0.0.1", "10.0.0.0/8", "::1")
    with pytest.raises(GeppettoDevError) as info:
        load_settings(project_dir=tmp_path, environ={"GEPPETTO_DEV_TRUSTED_PROXIES": "proxy"})
    assert "'proxy' is not an IP address" in info.value.message and "e.g." in info.value.hint


PYPROJECT = """[project]
name = "x"

# comment kept
[tool.geppetto-dev]
app = "x.app:create_app"
frontend-commit = ""  # filled by init

[tool.geppetto-dev.npm-overrides]
"left-pad" = "1.3.0"

[tool.other]
frontend-commit = "not ours"
"""


def test_write_tool_keys_edits_only_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    assert write_tool_keys(path, {"frontend-commit": "abc", "frontend-ref": "v1"})
    text = path.read_text()
    assert 'frontend-commit = "abc"\n' in text and 'frontend-ref = "v1"\n' in text
    assert 'frontend-commit = "not ours"' in text and "# comment kept" in text
    table = read_pyproject(tmp_path)
    assert table["frontend-commit"] == "abc" and table["frontend-ref"] == "v1"
    assert table["npm-overrides"] == {"left-pad": "1.3.0"}
    # Only the touched lines differ.
    before, after = PYPROJECT.splitlines(), text.splitlines()
    assert len(after) == len(before) + 1


def test_write_tool_keys_without_the_table_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    assert not write_tool_keys(path, {"frontend-commit": "abc"})
    assert path.read_text() == '[project]\nname = "x"\n'
    assert not write_tool_keys(tmp_path / "missing.toml", {"frontend-commit": "abc"})
