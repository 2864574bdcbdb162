"""`geppetto-dev new-handler` in a starter project: plans, statuses, errors, next steps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from geppetto_dev.projects.defaults import default_handlers

from .conftest import PACKAGE, CliResult, run_module, snapshot

Cli = Callable[..., CliResult]

MODULES = {
    "websocket": f"{PACKAGE}/handlers/{{}}.py",
    "rest": f"{PACKAGE}/api/{{}}.py",
    "blueprint": f"{PACKAGE}/blueprints/{{}}.py",
}
TESTS = {
    "websocket": "tests/test_ws_{}.py",
    "rest": "tests/test_api_{}.py",
    "blueprint": "tests/test_bp_{}.py",
}


@pytest.mark.parametrize("kind", ["websocket", "rest", "blueprint"])
def test_each_kind_creates_its_module_and_test(project: Path, cli: Cli, kind: str) -> None:
    code, out, err = cli("new-handler", kind, "cell_types")
    assert (code, err) == (0, "")
    module, test = MODULES[kind].format("cell_types"), TESTS[kind].format("cell_types")
    assert f"    create  {module}" in out.splitlines()
    assert f"    create  {test}" in out.splitlines()
    assert (project / module).is_file() and (project / test).is_file()
    assert "Next steps:" in out
    assert f"edit {module}" in out
    assert f"python -m pytest {test}" in out


def test_next_steps_say_how_to_call_each_piece(project: Path, cli: Cli) -> None:
    out = cli("new-handler", "websocket", "get_cells")[1]
    assert '"type": "get_cells"' in out
    assert "ws://127.0.0.1:5000/org.geppetto.frontend/GeppettoServlet" in out
    assert "curl http://127.0.0.1:5000/api/cells" in cli("new-handler", "rest", "cells")[1]
    assert "curl http://127.0.0.1:5000/reports" in cli("new-handler", "blueprint", "reports")[1]


def test_generated_code_is_what_it_says(project: Path, cli: Cli) -> None:
    cli("new-handler", "websocket", "get_cells")
    cli("new-handler", "rest", "cell_types")
    cli("new-handler", "blueprint", "reports")
    handler = (project / PACKAGE / "handlers" / "get_cells.py").read_text()
    assert '@handler("get_cells")' in handler
    resource = (project / PACKAGE / "api" / "cell_types.py").read_text()
    assert "class CellTypes(Resource)" in resource
    assert 'routes = ("/api/cell_types",)' in resource
    blueprint = (project / PACKAGE / "blueprints" / "reports.py").read_text()
    assert 'url_prefix="/reports"' in blueprint


def test_dry_run_prints_the_plan_and_writes_nothing(project: Path, cli: Cli) -> None:
    before = snapshot(project)
    code, out, _ = cli("new-handler", "rest", "things", "--dry-run")
    assert code == 0
    assert f"    create  {PACKAGE}/api/things.py" in out
    assert "nothing was written" in out
    assert "Next steps" not in out
    assert snapshot(project) == before


def test_second_run_reports_identical_and_exits_non_zero(project: Path, cli: Cli) -> None:
    cli("new-handler", "blueprint", "reports")
    before = snapshot(project)
    code, out, err = cli("new-handler", "blueprint", "reports")
    assert code == 1
    assert f" identical  {PACKAGE}/blueprints/reports.py" in out
    assert err.startswith(f"error: {PACKAGE}/blueprints/reports.py already exists")
    assert "--force" in err and len(err.splitlines()) == 1
    assert snapshot(project) == before
    assert cli("new-handler", "blueprint", "reports", "--dry-run")[0] == 1

    code, out, err = cli("new-handler", "blueprint", "reports", "--force")
    assert (code, err) == (0, "")
    assert snapshot(project) == before


def test_a_deleted_test_is_made_again(project: Path, cli: Cli) -> None:
    cli("new-handler", "rest", "things")
    (project / "tests" / "test_api_things.py").unlink()
    code, out, _ = cli("new-handler", "rest", "things")
    assert code == 0
    assert f" identical  {PACKAGE}/api/things.py" in out
    assert "    create  tests/test_api_things.py" in out


def test_a_changed_file_is_a_conflict_and_nothing_is_written(project: Path, cli: Cli) -> None:
    # The module exists with the user's edits; the test file does not exist yet.
    module = project / PACKAGE / "handlers" / "ping.py"
    module.write_text("# my own ping handler\n")
    before = snapshot(project)
    code, out, err = cli("new-handler", "websocket", "ping")
    assert code == 1
    assert f"  conflict  {PACKAGE}/handlers/ping.py" in out
    assert "    create  tests/test_ws_ping.py" in out
    assert err.startswith("error: 1 file(s) already exist") and "--force" in err
    assert snapshot(project) == before

    code, out, err = cli("new-handler", "websocket", "ping", "--force")
    assert (code, err) == (0, "")
    assert f"     force  {PACKAGE}/handlers/ping.py" in out
    assert '@handler("ping")' in module.read_text()


def test_the_starter_example_conflicts_rather_than_being_replaced(project: Path, cli: Cli) -> None:
    before = snapshot(project)
    code, _, err = cli("new-handler", "websocket", "hello")
    assert code == 1 and "--force" in err
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rest", "Bad-Name"], "not a Python identifier"),
        (["rest", "BadName"], "not snake_case"),
        (["blueprint", "lambda"], "Python keyword"),
        (["websocket", "os"], "shadow the importable module 'os'"),
        (["widget", "x"], "'widget' is not one of"),
    ],
)
def test_bad_input_is_one_line_without_traceback(
    project: Path, args: list[str], message: str
) -> None:
    before = snapshot(project)
    result = run_module(["geppetto_dev", "new-handler", *args], cwd=project)
    assert result.returncode != 0
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(project) == before


def test_outside_a_project_says_where_to_run_it(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GEPPETTO_DEV_APP", raising=False)
    code, _, err = cli("new-handler", "rest", "things")
    assert code == 1
    assert "no geppetto-dev project" in err and "geppetto-dev init" in err
    assert list(tmp_path.iterdir()) == []


def test_a_missing_target_package_is_explained(project: Path, cli: Cli) -> None:
    (project / PACKAGE / "blueprints" / "__init__.py").unlink()
    code, _, err = cli("new-handler", "blueprint", "reports")
    assert code == 1
    assert f"{PACKAGE}.blueprints" in err and "__init__.py" in err
    assert not (project / PACKAGE / "blueprints" / "reports.py").exists()


def test_handlers_setting_decides_where_websocket_handlers_go(project: Path, cli: Cli) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            f'handlers = "{PACKAGE}.handlers"', f'handlers = "{PACKAGE}.ws.messages"'
        )
    )
    (project / PACKAGE / "ws" / "messages").mkdir(parents=True)
    (project / PACKAGE / "ws" / "__init__.py").write_text("")
    (project / PACKAGE / "ws" / "messages" / "__init__.py").write_text("")
    assert cli("new-handler", "websocket", "ping")[0] == 0
    assert (project / PACKAGE / "ws" / "messages" / "ping.py").is_file()


def test_replacing_a_built_in_message_type_is_pointed_out(project: Path, cli: Cli) -> None:
    code, out, _ = cli("new-handler", "websocket", "geppetto_version")
    assert code == 0
    assert "replaces geppetto-dev's built-in handler for 'geppetto_version'" in out
    assert "built-in" not in cli("new-handler", "websocket", "get_cells")[1]


@pytest.mark.parametrize("kind", default_handlers().message_types())
def test_every_default_type_is_pointed_out(project: Path, cli: Cli, kind: str) -> None:
    code, out, _ = cli("new-handler", "websocket", kind, "--dry-run")
    assert code == 0
    assert f"replaces geppetto-dev's built-in handler for '{kind}'" in out


def test_the_command_in_its_own_process_sees_the_default_handlers(project: Path) -> None:
    """What a user runs: nothing imported beforehand registers anything for it."""
    done = run_module(
        ["geppetto_dev", "new-handler", "websocket", "load_project_from_id", "--dry-run"], project
    )
    assert done.returncode == 0, done.stderr
    assert "replaces geppetto-dev's built-in handler for 'load_project_from_id'" in done.stdout


def test_works_from_a_folder_inside_the_project(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / PACKAGE / "api")
    code, out, err = cli("new-handler", "rest", "things")
    assert (code, err) == (0, "")
    assert f"    create  {PACKAGE}/api/things.py" in out
    assert (project / PACKAGE / "api" / "things.py").is_file()
    assert (project / "tests" / "test_api_things.py").is_file()
