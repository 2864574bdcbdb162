"""What the CLI says to a slip: one line naming the mistake and the fix, the right exit code,
no traceback, and nothing made on disk. Through the real entry point (`cli.main`), in-process;
`tests/test_cli_serve.py` and `tests/frontend/test_next_steps.py` run the commands for real."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from geppetto_dev import cli
from geppetto_dev.config import load_settings
from geppetto_dev.serve import check_project
from geppetto_dev.setting_rules import KNOWN_PRIVILEGES


@pytest.fixture(autouse=True)
def empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder as the current folder, and no GEPPETTO_DEV_* from outside."""
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for key in [k for k in os.environ if k.startswith("GEPPETTO_DEV_")]:
        monkeypatch.delenv(key)
    return folder


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    """(exit code, stdout lines, stderr lines) of `geppetto-dev ARGS`."""
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out.splitlines(), err.splitlines()


def one_error(capsys: pytest.CaptureFixture[str], code: int, *args: str) -> str:
    """Run, check the exit code and that stderr is one `error:` line; that line."""
    got, out, err = run_main(capsys, *args)
    assert got == code, (got, out, err)
    assert out == [] and len(err) == 1, err
    assert err[0].startswith("error: ") and "Traceback" not in err[0]
    return err[0]


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# The bare command, slips of the keyboard ------------------------------------------------------


def test_the_bare_command_shows_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys)
    assert (code, err) == (0, [])
    assert out[0].startswith("Usage: geppetto-dev")
    assert any(line.strip().startswith("serve") for line in out)
    assert not any(line.startswith("error") for line in out)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serv"], "error: no such command 'serv'; did you mean 'serve'?"),
        (["buildwatch"], "error: no such command 'buildwatch'; did you mean 'build-watch'?"),
        (["frobnicate"], "error: no such command 'frobnicate'; see 'geppetto-dev --help'"),
        (
            ["serve", "--prot", "80"],
            "error: no such option --prot for 'geppetto-dev serve'; did you mean --port?",
        ),
        (
            ["serve", "--no-relaod"],
            "error: no such option --no-relaod for 'geppetto-dev serve'; did you mean --no-reload?",
        ),
        (
            ["serve", "--bogus"],
            "error: no such option --bogus for 'geppetto-dev serve'; "
            "see 'geppetto-dev serve --help'",
        ),
        (
            ["init", "--reload"],
            "error: geppetto-dev init has no option --reload; it is an option of "
            "'geppetto-dev serve' and 'geppetto-dev view'",
        ),
        (
            ["init", "--frontend", "metta"],
            "error: invalid value for '--frontend': 'metta' is not one of 'classic', 'meta'; "
            "did you mean 'meta'?",
        ),
        (
            ["new-handler", "rst", "cells"],
            "error: invalid value for 'KIND': 'rst' is not one of 'websocket', 'rest', "
            "'blueprint'; did you mean 'rest'?",
        ),
    ],
)
def test_a_slip_gets_did_you_mean_in_one_line(
    capsys: pytest.CaptureFixture[str], empty_folder: Path, args: list[str], expected: str
) -> None:
    assert one_error(capsys, 2, *args) == expected
    assert files_in(empty_folder) == []


def test_a_missing_argument_with_choices_is_still_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = one_error(capsys, 2, "new-handler")
    assert "missing argument 'KIND'" in line and "websocket, rest, blueprint" in line


# Readable metavars -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["serve", "init", "build-watch", "new-handler"])
def test_options_show_readable_metavars(command: str) -> None:
    result = CliRunner().invoke(cli.app, [command, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    options = result.output.split("Options:", 1)[1]
    # Typer's own metavars name Python types: <str>, <int range>, <list[Path]>.
    assert not re.search(r"<[a-z][^>]*>|\blist\[", options), options


def test_serve_metavars_say_what_to_give() -> None:
    result = CliRunner().invoke(cli.app, ["serve", "--help"], catch_exceptions=False)
    for option in (
        "--app MODULE[:NAME]",
        "--host HOST",
        "--port PORT",
        "--frontend-dir DIR",
        "--handlers MODULE",
        "--allowed-host NAME",
        "--reload-dir DIR",
        "--reload-exclude GLOB",
    ):
        assert option in result.output


# serve outside a project -----------------------------------------------------------------------


def test_serve_outside_a_project_says_so_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], empty_folder: Path
) -> None:
    line = one_error(capsys, 1, "serve", "--port", "0")
    assert f"{empty_folder} is not a geppetto-dev project (it has no pyproject.toml)" in line
    assert "geppetto-dev init my-app" in line and "--app MODULE[:NAME]" in line
    assert line.endswith("(the demo: --app geppetto_dev.example)")
    assert files_in(empty_folder) == []  # no data/ database


def test_serve_beside_a_pyproject_of_another_kind_names_the_missing_table(
    capsys: pytest.CaptureFixture[str], empty_folder: Path
) -> None:
    (empty_folder / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    line = one_error(capsys, 1, "serve", "--reload")
    assert "its pyproject.toml has no [tool.geppetto-dev] table" in line
    assert files_in(empty_folder) == ["pyproject.toml"]


def test_serve_in_a_folder_inside_a_project_says_where_to_go(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    (project / "pkg" / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.geppetto-dev]\napp = "pkg.app:app"\n')
    monkeypatch.chdir(project / "pkg" / "sub")
    line = one_error(capsys, 1, "serve")
    assert f"but inside the project {project}" in line and line.endswith("cd ../..")
    assert files_in(project / "pkg") == ["sub"]


@pytest.mark.parametrize(
    ("pyproject", "overrides", "webapp"),
    [
        ("[tool.geppetto-dev]\n", {}, False),  # an empty table is a project's
        ("", {"app": "mod:app"}, False),
        ("", {"handlers": "handlers"}, False),
        ("", {"frontend_dir": Path("web")}, True),  # a frontend to serve
    ],
)
def test_what_counts_as_something_to_serve(
    empty_folder: Path, pyproject: str, overrides: dict[str, object], webapp: bool
) -> None:
    if pyproject:
        (empty_folder / "pyproject.toml").write_text(pyproject)
    if webapp:
        (empty_folder / "web").mkdir()
    check_project(load_settings(overrides, project_dir=empty_folder))


# Settings with a closed set of values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pyproject", "env", "expected"),
    [
        (
            'privileges = ["READ_PROJECT", "RUN_EXPERIMENTS"]',
            {},
            "error: pyproject.toml: privileges: unknown privilege 'RUN_EXPERIMENTS'; "
            "did you mean RUN_EXPERIMENT? the privileges are ",
        ),
        (
            "",
            {"GEPPETTO_DEV_PRIVILEGES": "read_project"},
            "error: environment variable GEPPETTO_DEV_PRIVILEGES: unknown privilege "
            "'read_project'; did you mean READ_PROJECT?",
        ),
        ('privileges = ["ROOT"]', {}, "unknown privilege 'ROOT'; the privileges are READ_"),
    ],
)
def test_unknown_privileges_are_refused_with_the_valid_ones(
    capsys: pytest.CaptureFixture[str],
    empty_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    pyproject: str,
    env: dict[str, str],
    expected: str,
) -> None:
    (empty_folder / "pyproject.toml").write_text(f"[tool.geppetto-dev]\n{pyproject}\n")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    line = one_error(capsys, 1, "serve")
    assert expected in line
    assert all(name in line for name in KNOWN_PRIVILEGES)
    assert files_in(empty_folder) == ["pyproject.toml"]


def test_every_known_privilege_is_accepted(empty_folder: Path) -> None:
    settings = load_settings({"privileges": list(KNOWN_PRIVILEGES)}, project_dir=empty_folder)
    assert settings.privileges == KNOWN_PRIVILEGES


def test_allowed_host_is_repeatable_and_a_url_is_refused(
    capsys: pytest.CaptureFixture[str], empty_folder: Path
) -> None:
    settings = load_settings(
        {"allowed_hosts": ["app.example.org", ".lab.example.org", "10.0.0.2:8080"]},
        project_dir=empty_folder,
    )
    assert settings.allowed_hosts == ("app.example.org", ".lab.example.org", "10.0.0.2:8080")
    line = one_error(capsys, 1, "serve", "--allowed-host", "https://app.example.org/")
    assert line == (
        "error: --allowed-host: 'https://app.example.org/' is not a host name; give the name "
        "alone, e.g. app.example.org (.example.org: also every name under it; *: any name)"
    )


# init's project name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "rule", "fix"),
    [
        ("My App", "'My App' is not a valid project name", "try: geppetto-dev init my-app"),
        ("_x_", "'_x_' is not a valid project name", "try: geppetto-dev init x"),
        ("flask", "would shadow the importable module 'flask'", "geppetto-dev init my-flask"),
        ("tests", "the package 'tests', a folder of the starter", "geppetto-dev init my-tests"),
        ("class", "'class' is a Python keyword", "try: geppetto-dev init my-class"),
    ],
)
def test_init_refuses_an_invalid_project_name_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], empty_folder: Path, folder: str, rule: str, fix: str
) -> None:
    line = one_error(capsys, 1, "init", folder, "--skip-frontend")
    assert rule in line and line.endswith(fix), line
    assert files_in(empty_folder) == []


def test_init_in_a_folder_with_an_invalid_name_suggests_a_valid_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "My Lab"
    folder.mkdir()
    monkeypatch.chdir(folder)
    line = one_error(capsys, 1, "init", "--skip-frontend")
    assert line.endswith("try: geppetto-dev init ../my-lab")
    assert files_in(folder) == []


def test_init_without_node_or_git_points_to_the_inits_that_need_neither(
    capsys: pytest.CaptureFixture[str],
    empty_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nothing = tmp_path / "empty-bin"
    nothing.mkdir()
    monkeypatch.setenv("PATH", str(nothing))
    line = one_error(capsys, 1, "init", "lab")
    assert line.startswith("error: git was not found on PATH; install git")
    assert "'geppetto-dev init lab --frontend meta' needs no git" in line
    assert "'geppetto-dev init lab --skip-frontend' needs neither git nor Node.js" in line
    line = one_error(capsys, 1, "init", "lab", "--frontend", "meta")
    assert line.startswith("error: node was not found on PATH")
    assert "--frontend meta' needs" not in line and "init lab --skip-frontend" in line
    assert files_in(empty_folder) == []
