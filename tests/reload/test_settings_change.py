"""An edited pyproject.toml under `serve --reload`: what restarts, what needs a full restart.

The comparison is a pure function (fast cases first); then a real `serve --reload` process
shows each kind of change end to end, and says how long each reload took.
"""

from __future__ import annotations

import signal
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.config import load_settings
from geppetto_dev.reload.settings_change import (
    BUILD_WATCH_SETTINGS,
    SESSION_SETTINGS,
    reread_settings,
)
from tests.reload.reloading import ReloadServer, make_project, write_message
from tests.support import wait_until


def write_settings(folder: Path, body: str) -> None:
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "lab"\n\n[tool.geppetto-dev]\napp = "app:app"\n{body}\n'
    )


def test_a_server_setting_restarts_with_the_new_value(tmp_path: Path) -> None:
    write_settings(tmp_path, "")
    current = load_settings(project_dir=tmp_path)
    write_settings(tmp_path, 'dev = true\nprivileges = ["READ_PROJECT"]')
    change = reread_settings(current, None)
    assert change.settings is not None
    assert change.settings.dev and change.settings.privileges == ("READ_PROJECT",)
    assert change.messages == (
        (
            "pyproject.toml: privileges changed, dev false -> true; restarting the server with "
            "the new settings.",
            False,
        ),
    )


def test_the_port_needs_a_full_restart_and_keeps_its_value(tmp_path: Path) -> None:
    write_settings(tmp_path, "port = 5000")
    current = load_settings(project_dir=tmp_path)
    write_settings(tmp_path, "port = 5001\ndev = true")
    change = reread_settings(current, None)
    assert change.settings is not None and change.settings.port == 5000 and change.settings.dev
    (full, restart) = change.messages
    assert full == (
        "pyproject.toml: port 5000 -> 5001 needs a full restart: stop serve (Ctrl-C) and "
        "start it again.",
        True,
    )
    assert restart[0].startswith("pyproject.toml: dev false -> true; restarting")


def test_only_a_session_setting_changed_means_no_restart(tmp_path: Path) -> None:
    write_settings(tmp_path, "")
    current = load_settings({"reload": True}, project_dir=tmp_path)
    write_settings(tmp_path, 'host = "0.0.0.0"\nreload-excludes = ["tests/*"]')
    change = reread_settings(current, {"reload": True})
    assert change.settings is None
    (message,) = change.messages
    assert message[1] is True
    assert (
        "host '127.0.0.1' -> '0.0.0.0', reload-excludes changed need a full restart" in (message[0])
    )


def test_the_command_line_still_wins(tmp_path: Path) -> None:
    write_settings(tmp_path, "")
    overrides: dict[str, Any] = {"inspector": False, "reload": True}
    current = load_settings(overrides, project_dir=tmp_path)
    write_settings(tmp_path, "inspector = true")
    change = reread_settings(current, overrides)
    assert change.settings is None
    assert change.messages == (
        (
            "pyproject.toml changed, but no setting the server uses (the command line sets "
            "inspector, reload: it wins).",
            False,
        ),
    )


def test_init_settings_and_other_tables_change_nothing(tmp_path: Path) -> None:
    write_settings(tmp_path, "")
    current = load_settings(project_dir=tmp_path)
    write_settings(tmp_path, 'frontend-ref = "v1"\n\n[tool.ruff]\nline-length = 80')
    assert reread_settings(current, None).settings is None


def test_beside_build_watch_the_frontend_folder_needs_a_full_restart(tmp_path: Path) -> None:
    write_settings(tmp_path, "")
    current = load_settings(project_dir=tmp_path)
    write_settings(tmp_path, 'frontend-dir = "web"')
    alone = reread_settings(current, None)
    assert alone.settings is not None and alone.settings.frontend_dir == Path("web")
    beside = reread_settings(current, None, SESSION_SETTINGS | BUILD_WATCH_SETTINGS)
    assert beside.settings is None and "frontend-dir" in beside.messages[0][0]


def test_a_broken_file_keeps_the_settings_and_says_why(tmp_path: Path) -> None:
    write_settings(tmp_path, "")
    current = load_settings(project_dir=tmp_path)
    write_settings(tmp_path, "inspectr = false")
    change = reread_settings(current, None)
    assert change.settings is None
    ((text, error),) = change.messages
    assert error and text.startswith("Settings not applied: pyproject.toml: unknown setting")
    assert text.endswith("The server keeps its previous settings.")


# A real `serve --reload` --------------------------------------------------------------------------

pytestmark_linux = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Linux process tests"
)


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ReloadServer]:
    make_project(tmp_path)
    write_settings(tmp_path, "inspector = true")
    served = ReloadServer(tmp_path, "--reload", "--port", "0").wait_serving()
    yield served
    served.stop(signal.SIGKILL)


@pytestmark_linux
def test_serve_reload_applies_a_setting_and_says_what_needs_a_restart(
    server: ReloadServer,
) -> None:
    project = server.project
    inspector = f"{server.url}/_geppetto/inspector"
    assert status(inspector) == 200
    assert "(Python files and pyproject.toml)" in server.text()

    # A save of a source: what changed, then how long it took.
    mark = len(server.output)
    write_message(project, "v2")
    server.wait_text("v2")
    server.wait_output("Detected changes in 'message.py'. Reloading...", mark)
    server.wait_output("Reloaded in ", mark)

    # A setting the server reads: applied by a restart.
    mark = len(server.output)
    write_settings(project, "inspector = false")
    wait_until(lambda: status(inspector) == 404, 20, "the inspector to go away")
    server.wait_output(
        "pyproject.toml: inspector true -> false; restarting the server with the new settings.",
        mark,
    )
    server.wait_output("Reloaded in ", mark)

    # The host (a new socket): one line, and the server stays where it is. (The port comes
    # from the command line, which wins over the file.)
    mark = len(server.output)
    write_settings(project, 'inspector = false\nport = 1\nhost = "localhost"')
    server.wait_output("pyproject.toml: host '127.0.0.1' -> 'localhost' needs a full", mark)
    assert server.fetch() == (200, "v2")

    # A typo: said, and nothing changes.
    mark = len(server.output)
    write_settings(project, "inspector = false\ninspectr = true")
    server.wait_output("Settings not applied: pyproject.toml: unknown setting 'inspectr'", mark)
    assert server.fetch() == (200, "v2") and status(inspector) == 404
    assert server.proc.poll() is None
    assert "Traceback" not in server.text()
