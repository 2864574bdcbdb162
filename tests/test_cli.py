"""The CLI only forwards: each command is tested against the one function it calls, patched.

No server starts here. `tests/test_cli_serve.py` runs `geppetto-dev serve` for real.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from geppetto_dev import cli, cli_users
from geppetto_dev.config import Settings
from geppetto_dev.scaffold.engine import KINDS

# serve's parameters that are not settings: how to serve, not what with.
SERVE_MODES = {"build_watch"}
# Parameter names that differ from their setting (`app` is the Typer object in cli.py).
SETTING_OF = {"app_ref": "app"}
SAMPLE = "sample"


class Calls:
    """Stands in for the one function a command forwards to; records what it was given."""

    def __init__(self, result: Any = 0) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.result = result

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((args, kwargs))
        return self.result

    @property
    def settings(self) -> Settings:
        (args, _kwargs), *_ = self.calls
        settings = args[0]
        assert isinstance(settings, Settings)
        return settings


@pytest.fixture(autouse=True)
def clean_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the current folder, and no GEPPETTO_DEV_* from outside."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("GEPPETTO_DEV_")]:
        monkeypatch.delenv(key)
    return tmp_path


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Calls:
    calls = Calls()
    monkeypatch.setattr("geppetto_dev.serve.serve", calls)
    return calls


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli.app, list(args), env=env, catch_exceptions=False)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    """Through the real entry point, with its error mapping: (code, stdout lines, stderr lines)."""
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out.splitlines(), err.splitlines()


def serve_params() -> list[Any]:
    group = typer.main.get_command(cli.app)
    assert isinstance(group, typer.core.TyperGroup)
    return list(group.commands["serve"].params)


# Parity: every serve option reaches Settings ---------------------------------------------------


def test_every_serve_option_is_a_setting() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    names = [p.name for p in serve_params() if p.name not in SERVE_MODES]
    missing = [n for n in names if SETTING_OF.get(n, n) not in fields]
    assert names and not missing


def sample_for(param: Any) -> tuple[list[str], Any]:
    """Arguments giving `param` a value other than the default, and the setting expected."""
    field = SETTING_OF.get(param.name, param.name)
    kind = typing.get_type_hints(Settings)[field]
    default = getattr(Settings(), field)
    if kind is bool:
        wanted = not default
        return [param.opts[0] if wanted else param.secondary_opts[0]], wanted
    if kind is int:
        return [param.opts[0], "4321"], 4321
    if kind == tuple[Path, ...]:
        return [param.opts[0], SAMPLE], (Path(SAMPLE),)
    if kind == tuple[str, ...]:
        return [param.opts[0], SAMPLE], (SAMPLE,)
    if kind is Path:
        return [param.opts[0], SAMPLE], Path(SAMPLE)
    return [param.opts[0], SAMPLE], SAMPLE


@pytest.mark.parametrize(
    "param", [p for p in serve_params() if p.name not in SERVE_MODES], ids=lambda p: p.name
)
def test_each_serve_option_changes_its_setting(served: Calls, param: Any) -> None:
    args, expected = sample_for(param)
    if param.name != "reload":
        args.append("--reload")  # the reload options need it; it changes no other setting
    result = invoke("serve", *args)
    assert result.exit_code == 0, result.output
    field = SETTING_OF.get(param.name, param.name)
    assert getattr(served.settings, field) == expected


def test_serve_forwards_settings_and_mode_once(served: Calls, clean_project: Path) -> None:
    result = invoke("serve", "--port", "0", "--build-watch")
    assert result.exit_code == 0 and result.output == ""
    assert len(served.calls) == 1
    (settings,), kwargs = served.calls[0]
    assert kwargs["build_watch"] is True
    assert settings.port == 0 and settings.project_dir == clean_project.resolve()


def test_serve_exit_code_is_the_serve_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("geppetto_dev.serve.serve", Calls(result=3))
    assert invoke("serve").exit_code == 3


# Precedence, through the CLI (was four real servers in tests/server/test_inspector_serve.py) ---


@pytest.mark.parametrize(
    ("args", "env", "on"),
    [
        ([], {}, True),
        (["--no-inspector"], {}, False),
        ([], {"GEPPETTO_DEV_INSPECTOR": "false"}, False),
        (["--inspector"], {"GEPPETTO_DEV_INSPECTOR": "false"}, True),
    ],
)
def test_inspector_option_beats_env_beats_default(
    served: Calls, args: list[str], env: dict[str, str], on: bool
) -> None:
    assert invoke("serve", *args, env=env).exit_code == 0
    assert served.settings.inspector is on


def test_options_beat_env_beat_pyproject(served: Calls, clean_project: Path) -> None:
    (clean_project / "pyproject.toml").write_text(
        '[tool.geppetto-dev]\nport = 7000\nhost = "0.0.0.0"\napp = "file:app"\n'
    )
    env = {"GEPPETTO_DEV_PORT": "7100", "GEPPETTO_DEV_APP": "env:app"}
    assert invoke("serve", "--port", "7200", env=env).exit_code == 0
    settings = served.settings
    assert (settings.port, settings.app, settings.host) == (7200, "env:app", "0.0.0.0")


# Setting combinations are checked whatever their source ----------------------------------------


@pytest.mark.parametrize(
    ("pyproject", "env", "args", "error"),
    [
        (
            "",
            {},
            ["--reload-dir", "src"],
            "error: --reload-dir and --reload-exclude only apply with --reload; add --reload",
        ),
        ("", {}, ["--reload-exclude", "tests/*", "--build-watch"], "only apply with --reload"),
        ('reload-dirs = ["src"]', {}, [], "error: pyproject.toml: reload-dirs only apply with"),
        ("", {"GEPPETTO_DEV_RELOAD_EXCLUDES": "x"}, [], "GEPPETTO_DEV_RELOAD_EXCLUDES"),
        ("reload = false\nreload-dirs = ['src']", {}, [], "pyproject.toml: reload-dirs"),
        ("", {"GEPPETTO_DEV_RELOAD": "false"}, ["--reload-dir", "src"], "add --reload"),
    ],
)
def test_reload_options_without_reload_are_one_error_line(
    served: Calls,
    clean_project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pyproject: str,
    env: dict[str, str],
    args: list[str],
    error: str,
) -> None:
    (clean_project / "pyproject.toml").write_text(f"[tool.geppetto-dev]\n{pyproject}\n")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, out, err = run_main(capsys, "serve", *args)
    assert (code, out, len(err)) == (1, [], 1), err
    assert error in err[0]
    assert not served.calls


@pytest.mark.parametrize(
    ("pyproject", "env", "args"),
    [
        ('reload-dirs = ["src"]', {}, ["--reload"]),
        ('reload-dirs = ["src"]', {}, ["--no-reload"]),  # switched off for one run
        ('reload-dirs = ["src"]', {"GEPPETTO_DEV_RELOAD": "true"}, []),
        ('reload = true\nreload-dirs = ["src"]', {}, []),
    ],
)
def test_reload_options_with_reload_or_switched_off_on_top_are_fine(
    served: Calls,
    clean_project: Path,
    monkeypatch: pytest.MonkeyPatch,
    pyproject: str,
    env: dict[str, str],
    args: list[str],
) -> None:
    (clean_project / "pyproject.toml").write_text(f"[tool.geppetto-dev]\n{pyproject}\n")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert invoke("serve", *args).exit_code == 0
    assert served.settings.reload_dirs == (Path("src"),)


def test_port_out_of_range_says_what_is_accepted(
    served: Calls, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GEPPETTO_DEV_PORT", "70000")
    code, _out, err = run_main(capsys, "serve")
    assert code == 1
    assert err == [
        "error: port 70000 is out of range; use a port from 1 to 65535, or 0 for any free port"
    ]


def test_usage_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_main(capsys, "serve", "--port", "eighty")
    assert code == 2 and len(err) == 1 and "--port" in err[0]


# The other commands ------------------------------------------------------------------------------


def test_init_forwards_the_folder_and_its_options(
    monkeypatch: pytest.MonkeyPatch, clean_project: Path
) -> None:
    calls = Calls(result=None)
    monkeypatch.setattr("geppetto_dev.project_init.init_project", calls)
    result = invoke("init", "proj", "--frontend-ref", "v1", "--skip-frontend")
    assert result.exit_code == 0, result.output
    (settings,), kwargs = calls.calls[0]
    assert settings.project_dir == (clean_project / "proj").resolve()
    assert settings.frontend_ref == "v1"
    assert kwargs == {"skip_frontend": True}


def test_build_watch_forwards_and_exits_with_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(result=4)
    monkeypatch.setattr("geppetto_dev.frontend.watch.run_build_watch", calls)
    result = invoke("build-watch", "--watch-script", "watch", "--frontend-dir", "web")
    assert result.exit_code == 4
    assert (calls.settings.watch_script, calls.settings.frontend_dir) == ("watch", Path("web"))


def test_new_handler_forwards_kind_name_and_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(result=None)
    monkeypatch.setattr("geppetto_dev.scaffold.pieces.new_piece", calls)
    assert invoke("new-handler", "rest", "cells", "--dry-run").exit_code == 0
    assert calls.calls == [(("rest", "cells"), {"force": False, "dry_run": True})]


def test_new_handler_kinds_are_the_scaffold_kinds() -> None:
    assert tuple(kind.value for kind in cli.Kind) == KINDS


def test_help_texts_are_kept() -> None:
    result = invoke("serve", "--help")
    assert result.exit_code == 0
    for text in ("--reload-dir", "/_geppetto/inspector", "--build-watch", "create_app"):
        assert text in result.output


# users: each subcommand forwards to its one function in geppetto_dev/users.py -----------------


@pytest.mark.parametrize(
    ("args", "function", "expected_args", "expected_kwargs"),
    [
        (
            ("add", "alice", "--role", "admin", "--password-stdin"),
            "add_user",
            ("alice",),
            {"role": "admin", "password_stdin": True},
        ),
        (("add", "bob"), "add_user", ("bob",), {"role": "user", "password_stdin": False}),
        (("list",), "list_users", (), {}),
        (("remove", "alice"), "remove_user", ("alice",), {}),
        (
            ("passwd", "alice", "--password-stdin"),
            "change_password",
            ("alice",),
            {"password_stdin": True},
        ),
    ],
)
def test_users_commands_forward_with_the_projects_settings(
    monkeypatch: pytest.MonkeyPatch,
    clean_project: Path,
    args: tuple[str, ...],
    function: str,
    expected_args: tuple[str, ...],
    expected_kwargs: dict[str, Any],
) -> None:
    calls = Calls(result=0)
    monkeypatch.setattr(f"geppetto_dev.users.{function}", calls)
    env = {"GEPPETTO_DEV_DATABASE_URL": "sqlite:///elsewhere.sqlite3"}
    assert invoke("users", *args, env=env).exit_code == 0
    ((settings, *rest), kwargs) = calls.calls[0]
    assert settings.project_dir == clean_project.resolve()
    assert settings.database == "sqlite:///elsewhere.sqlite3"
    assert (tuple(rest), kwargs) == (expected_args, expected_kwargs)


def test_users_roles_are_the_accounts_roles() -> None:
    from geppetto_dev.accounts.roles import ROLES

    assert tuple(role.value for role in cli_users.Role) == tuple(ROLES)
