"""Projects made from the real starter templates, and ways to run the real CLI on them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from geppetto_dev.cli import main
from geppetto_dev.config import Settings
from geppetto_dev.project_init import project_context as init_context
from geppetto_dev.scaffold.engine import apply_plan, plan_project
from tests.support import REPO

PACKAGE = "demo_app"
FRONTEND_REPO = "https://example.invalid/org.geppetto.frontend"


def project_context(package: str = PACKAGE) -> dict[str, str]:
    """What `init` renders the starter with, for a project folder named after `package`."""
    folder = Path(package.replace("_", "-"))
    return init_context(Settings(project_dir=folder, frontend_repo=FRONTEND_REPO))


def make_project(dest: Path, package: str = PACKAGE) -> Path:
    apply_plan(plan_project(dest, project_context(package)))
    return dest


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A starter project, as `init --skip-frontend` makes it, and the current folder."""
    root = make_project(tmp_path / "demo-app")
    monkeypatch.chdir(root)
    for key in list(os.environ):
        if key.startswith("GEPPETTO_DEV_"):
            monkeypatch.delenv(key)
    return root


CliResult = tuple[int, str, str]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `geppetto-dev ARGS` in this process through the real entry point: (code, out, err)."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main(list(args))
        captured = capsys.readouterr()
        code = exited.value.code
        return (code if isinstance(code, int) else 1), captured.out, captured.err

    return run


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def run_module(
    args: list[str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m <args>` in a subprocess with this checkout importable."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (caches left out) with its content, to prove nothing changed."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts
    }
