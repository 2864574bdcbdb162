"""`init --frontend meta` without npm (--skip-frontend, a PATH without node): what it writes.

The real install, build and browser check are in tests/browser/test_meta_frontend.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from geppetto_dev.config import load_settings, tomllib
from geppetto_dev.errors import GeppettoDevError

from .conftest import REPO, cli_env, run_cli

TEMPLATE = REPO / "scaffold_templates" / "frontend-meta"


def _python_only_path(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "python").exists():
        os.symlink(sys.executable, bin_dir / "python")
    return cli_env(PATH=str(bin_dir))


def test_meta_writes_the_template_with_no_git_and_no_clone(tmp_path: Path) -> None:
    done = run_cli(
        "init", "proj", "--frontend", "meta", "--skip-frontend",
        cwd=tmp_path, env=_python_only_path(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    proj = tmp_path / "proj"
    frontend = proj / "frontend"
    for name in ("package.json", "package-lock.json", ".npmrc", "webpack.config.js"):
        assert (frontend / name).is_file(), name
    assert (frontend / "src" / "App.js").read_text() == (
        TEMPLATE / "src" / "App.js-tpl"
    ).read_text()
    assert "    create  frontend/src/index.js" in done.stdout.splitlines()
    assert not (frontend / ".git").exists() and not (frontend / "node_modules").exists()

    table = tomllib.loads((proj / "pyproject.toml").read_text())["tool"]["geppetto-dev"]
    assert table["frontend"] == "meta" and table["frontend-dir"] == "frontend"
    assert "frontend-repo" not in table and "webapp-path" not in table
    settings = load_settings(project_dir=proj)
    assert (settings.frontend_path, settings.build_script, settings.watch_script) == (
        frontend.resolve(),
        "build-dev",
        "watch",
    )
    # The sources are the project's; what npm makes again is ignored.
    ignored = (proj / ".gitignore").read_text().splitlines()
    assert "frontend/node_modules/" in ignored and "frontend/build/" in ignored
    assert "frontend/" not in ignored

    # A rerun keeps what the user changed and reports it.
    app_js = frontend / "src" / "App.js"
    app_js.write_text("// mine\n")
    again = run_cli("init", "--skip-frontend", cwd=proj, env=_python_only_path(tmp_path))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "      skip  frontend/src/App.js" in again.stdout.splitlines()
    assert " identical  frontend/package.json" in again.stdout.splitlines()
    assert app_js.read_text() == "// mine\n"


def test_meta_needs_node_and_npm_but_not_git(tmp_path: Path) -> None:
    done = run_cli(
        "init", "proj", "--frontend", "meta", cwd=tmp_path, env=_python_only_path(tmp_path)
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: node was not found on PATH")
    assert not (tmp_path / "proj").exists()


def test_meta_never_writes_into_a_clone_of_the_classic_frontend(tmp_path: Path) -> None:
    webapp = tmp_path / "proj" / "frontend" / "src" / "main" / "webapp"
    webapp.mkdir(parents=True)
    done = run_cli(
        "init", "proj", "--frontend", "meta", "--skip-frontend",
        cwd=tmp_path, env=_python_only_path(tmp_path),
    )  # fmt: skip
    assert done.returncode == 1
    assert "holds a clone of the classic Geppetto frontend" in done.stderr
    assert sorted(p.name for p in (tmp_path / "proj").iterdir()) == ["frontend"]


def test_the_frontend_setting_is_checked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.geppetto-dev]\nfrontend = "modern"\n')
    with pytest.raises(GeppettoDevError, match="frontend must be one of classic, meta"):
        load_settings(project_dir=tmp_path)
    done = run_cli("init", "x", "--frontend", "modern", cwd=tmp_path)
    assert done.returncode == 2 and "modern" in done.stderr


def test_meta_defaults_yield_to_values_set_anywhere(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.geppetto-dev]\nfrontend = "meta"\nwatch-script = "dev"\n'
    )
    settings = load_settings(project_dir=tmp_path, environ={"GEPPETTO_DEV_BUILD_SCRIPT": "b"})
    assert (settings.frontend_dir, settings.watch_script, settings.build_script) == (
        Path("frontend"),
        "dev",
        "b",
    )
    assert load_settings(project_dir=tmp_path / "..", environ={}).frontend == "classic"
