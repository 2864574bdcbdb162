"""The parts of init on their own: progress output, pyproject edits, clone checks, overrides."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from geppetto_dev.config import load_settings, read_pyproject, write_tool_keys
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.frontend import git as frontend_git
from geppetto_dev.frontend import npm
from geppetto_dev.frontend.preflight import preflight
from geppetto_dev.procs.steps import Console, run_step
from tests.fixtures.frontend_repo import git
from tests.frontend.conftest import needs_node


def test_a_step_off_a_terminal_prints_plain_lines_and_logs_everything(tmp_path: Path) -> None:
    out = io.StringIO()
    log = tmp_path / "logs" / "step.log"
    run_step(
        Console(out, live=False),
        "count",
        [sys.executable, "-c", "for i in range(3): print('line', i)"],
        cwd=tmp_path,
        log_path=log,
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "-> count"
    assert lines[1].startswith("ok count (")
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()
    assert "line 0\nline 1\nline 2\n" in log.read_text()


def test_a_step_on_a_terminal_rewrites_one_status_line(tmp_path: Path) -> None:
    out = io.StringIO()
    code = "import time\nfor i in range(4):\n    print('working on', i, flush=True)\n"
    code += "    time.sleep(0.3)\n"
    run_step(
        Console(out, live=True),
        "work",
        [sys.executable, "-c", code],
        cwd=tmp_path,
        log_path=tmp_path / "w.log",
    )
    segments = out.getvalue().split("\r\x1b[K")
    # The status: step name, elapsed seconds and the tool's last line, rewritten in place.
    assert any(s.startswith("work [") and "working on" in s for s in segments)
    assert segments[-1].startswith("ok work (") and segments[-1].count("\n") == 1


def test_a_failed_step_prints_its_tail_and_log_path_and_raises(tmp_path: Path) -> None:
    out = io.StringIO()
    log = tmp_path / "fail.log"
    code = "import sys\nfor i in range(40): print('noise', i)\nprint('the real error')\nsys.exit(3)"
    with pytest.raises(GeppettoDevError) as caught:
        run_step(
            Console(out, live=False),
            "build",
            [sys.executable, "-c", code],
            cwd=tmp_path,
            log_path=log,
            hint="fix it",
        )
    assert "exit code 3" in caught.value.message and caught.value.hint == "fix it"
    text = out.getvalue()
    assert "    the real error" in text
    assert "noise 0\n" not in text  # only the tail is shown...
    assert "noise 0\n" in log.read_text()  # ...the log has everything
    assert f"full log: {log}" in text


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


def test_record_settings_edits_only_its_lines(tmp_path: Path) -> None:
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


def test_record_settings_without_the_table_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    assert not write_tool_keys(path, {"frontend-commit": "abc"})
    assert path.read_text() == '[project]\nname = "x"\n'
    assert not write_tool_keys(tmp_path / "missing.toml", {"frontend-commit": "abc"})


def test_overrides_merge_into_package_json_keeping_its_indent(tmp_path: Path) -> None:
    package = tmp_path / "package.json"
    package.write_text('{\n    "name": "w",\n    "overrides": {"a": "1"}\n}\n')
    assert npm.apply_overrides(tmp_path, {"b": "2"})
    assert json.loads(package.read_text())["overrides"] == {"a": "1", "b": "2"}
    assert '\n    "name"' in package.read_text()
    assert not npm.apply_overrides(tmp_path, {})


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


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("Error: error:0308010C:digital envelope routines::unsupported", "openssl-legacy"),
        ("gyp ERR! build error\nnode-sass@4.14.1 postinstall", "native module"),
        ("npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve", "npm-overrides"),
        ("ERROR in ./js/app.js: Module not found", None),
    ],
)
def test_known_npm_failures_get_a_precise_hint(log: str, expected: str | None) -> None:
    hint = npm.diagnose_npm(log)
    if expected is None:
        assert hint is None
    else:
        assert hint is not None and expected in hint
