"""Hints for the failures old frontend trees meet today, from logs the real tools printed."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.frontend.diagnose import diagnose_npm, webpack_errors
from geppetto_dev.procs.steps import Console, run_step

LOGS = Path(__file__).parent / "logs"
GIT_DEPS = {"griddle-react": "https://github.com/MetaCell/griddle.git"}


def _log(name: str) -> str:
    return (LOGS / name).read_text(encoding="utf-8")


def test_an_unreachable_git_dependency_is_named_with_its_registry_fix() -> None:
    hint = diagnose_npm(_log("npm-git-dependency.log"), GIT_DEPS)
    assert hint is not None
    assert "griddle-react (https://github.com/MetaCell/griddle.git)" in hint
    assert "npm-pins" in hint


def test_eoverride_says_to_move_the_package_to_npm_pins() -> None:
    hint = diagnose_npm(_log("npm-eoverride.log"))
    assert hint is not None and "direct dependency (underscore)" in hint
    assert "npm-pins" in hint


def test_an_install_script_fetching_a_binary_names_the_package_and_both_fixes() -> None:
    hint = diagnose_npm(_log("npm-binary-install-script.log"))
    assert hint is not None and "install script of pngquant-bin" in hint
    assert "--ignore-scripts" in hint and '"pngquant-bin" = false' in hint


def test_a_loader_missing_at_build_time_is_named() -> None:
    hint = diagnose_npm(_log("webpack-missing-loader.log"))
    assert hint is not None and "file-loader" in hint and "npm-pins" in hint


@pytest.mark.parametrize(
    ("log", "package"),
    [
        (_log("webpack-parse.log"), ""),
        (
            "ERROR in ./node_modules/async-generator-function/index.js\nModule parse failed: "
            "/w/node_modules/async-generator-function/index.js Unexpected token (3:9)",
            "(async-generator-function)",
        ),
    ],
)
def test_a_parse_failure_points_at_overrides(log: str, package: str) -> None:
    hint = diagnose_npm(log)
    assert hint is not None and "cannot parse" in hint and "npm-overrides" in hint
    assert package in hint


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("Error: error:0308010C:digital envelope routines::unsupported", "openssl-legacy"),
        ("gyp ERR! build error\nnode-sass@4.14.1 postinstall", "native module"),
        ("npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve", "npm-overrides"),
        ("ERROR in ./js/app.js\nModule not found: Error: Can't resolve 'x'", "webpack module"),
        ("npm error code ETIMEDOUT\nnpm error network timeout", None),
    ],
)
def test_other_known_failures(log: str, expected: str | None) -> None:
    hint = diagnose_npm(log)
    if expected is None:
        assert hint is None
    else:
        assert hint is not None and expected in hint


def test_webpack_errors_are_the_error_blocks_not_the_summary() -> None:
    picked = webpack_errors(_log("webpack-missing-loader.log"))
    assert picked[0] == "ERROR in ./style/fonts/glyphicons-halflings-regular.svg"
    assert picked[1] == "Module build failed: Error: Cannot find module 'file-loader'"
    assert not any("hidden modules" in line for line in picked)
    many = "\n\n".join(f"ERROR in ./m{i}.js\nModule parse failed" for i in range(8))
    picked = webpack_errors(many, limit=5)
    assert picked[-1] == "... and 3 more ERROR in blocks (see the log)"
    assert sum(line.startswith("ERROR in") for line in picked) == 5


def test_a_failed_build_step_shows_the_error_lines_instead_of_the_tail(tmp_path: Path) -> None:
    out = io.StringIO()
    code = (
        "print('ERROR in ./js/a.js')\nprint('Module build failed: boom')\nprint()\n"
        "for i in range(40): print('summary', i)\nraise SystemExit(2)"
    )
    with pytest.raises(GeppettoDevError):
        run_step(
            Console(out, live=False),
            "build",
            [sys.executable, "-c", code],
            cwd=tmp_path,
            log_path=tmp_path / "b.log",
            excerpt=webpack_errors,
        )
    text = out.getvalue()
    assert "the errors:\n    ERROR in ./js/a.js\n    Module build failed: boom\n" in text
    assert "summary 39" not in text
