"""From a real wheel in a fresh virtualenv: the templates ship inside it, and `init`,
`new-handler` and `serve` work with no source checkout on the path."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support import start_serve

from .conftest import PACKAGE, REPO, snapshot
from .test_live import check_pieces_answer

# What a build needs from the checkout: copied, so the build leaves nothing in the shared tree.
SOURCES = (
    "geppetto_dev",
    "scaffold_templates",
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
)


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    # No build isolation (no network): this environment's setuptools must build wheels itself.
    setuptools_version = tuple(int(p) for p in version("setuptools").split(".")[:2])
    assert setuptools_version >= (70, 1), "needs setuptools>=70.1: pip install -e '.[test]'"
    dist = root / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", str(source), "--no-deps", "--no-build-isolation", "-w", str(dist)],
        check=True,
        timeout=300,
        env=venv_env(),
    )
    (wheel,) = dist.glob("geppetto_dev-*.whl")
    venv = root / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    borrow_site_packages(python)
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
        # Without PYTHONPATH, so a source checkout on it never counts as installed.
        env=venv_env(),
    )
    yield python


def borrow_site_packages(python: Path) -> None:
    """The dependencies (flask, tornado, ...) come from this environment's site-packages.

    Not `--system-site-packages`: run inside a virtualenv, that sees the base interpreter's
    packages, not the virtualenv's. A `.pth` file in the new venv lists this environment's
    site-packages folders instead. Lines of a `.pth` file only extend sys.path; the `.pth` files
    in those folders are not run, so an editable install of this checkout stays out of sight.
    """
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    folders = [p for p in dict.fromkeys(site.getsitepackages()) if Path(p).is_dir()]
    Path(own, "_borrowed_site_packages.pth").write_text("".join(f"{p}\n" for p in folders))


def venv_env() -> dict[str, str]:
    """No PYTHONPATH: only what is installed counts."""
    return {
        k: v
        for k, v in os.environ.items()
        if k != "PYTHONPATH" and not k.startswith("GEPPETTO_DEV_")
    }


def in_venv(
    python: Path, *args: str, cwd: Path, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """`python ARGS` of the wheel's venv, with only what is installed importable."""
    return subprocess.run(
        [str(python), *args],
        cwd=cwd,
        env=venv_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`geppetto-dev ARGS` from the wheel."""
    return in_venv(python, "-m", "geppetto_dev", *args, cwd=cwd)


def test_templates_come_from_the_installed_wheel(venv_python: Path, tmp_path: Path) -> None:
    code = (
        "import geppetto_dev, geppetto_dev.scaffold.engine as s; "
        "print(geppetto_dev.__file__); print(s.templates_root())"
    )
    result = in_venv(venv_python, "-c", code, cwd=tmp_path, check=True)
    package_file, templates = result.stdout.split()
    venv = venv_python.parent.parent
    assert Path(package_file).is_relative_to(venv), package_file
    assert Path(templates).is_relative_to(venv), templates
    assert (Path(templates) / "websocket").is_dir()


def test_init_new_handler_and_serve_from_the_wheel(venv_python: Path, tmp_path: Path) -> None:
    init = run(venv_python, "init", "demo-app", "--skip-frontend", cwd=tmp_path)
    assert init.returncode == 0, init.stdout + init.stderr
    project = tmp_path / "demo-app"
    assert (project / PACKAGE / "app.py").is_file()

    for kind, name in (
        ("websocket", "get_cells"),
        ("rest", "cell_types"),
        ("blueprint", "reports"),
    ):
        before = snapshot(project)
        dry = run(venv_python, "new-handler", kind, name, "--dry-run", cwd=project)
        assert dry.returncode == 0 and "create" in dry.stdout, dry.stderr
        assert snapshot(project) == before
        made = run(venv_python, "new-handler", kind, name, cwd=project)
        assert made.returncode == 0, made.stderr
        assert "Next steps" in made.stdout

    # A second run, as is and over an edited file: non-zero, one line, nothing changed.
    handler = project / PACKAGE / "handlers" / "get_cells.py"
    for edit in ("", "# edited\n"):
        handler.write_text(handler.read_text() + edit)
        before = snapshot(project)
        again = run(venv_python, "new-handler", "websocket", "get_cells", cwd=project)
        assert again.returncode != 0
        assert len(again.stderr.strip().splitlines()) == 1 and "--force" in again.stderr
        assert snapshot(project) == before

    bad = run(venv_python, "new-handler", "rest", "NotSnake", cwd=project)
    assert bad.returncode != 0
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr

    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout

    served = start_serve(project, python=str(venv_python), base_env=venv_env())
    try:
        check_pieces_answer(served.port)
    finally:
        served.stop()


def test_the_release_data_ships_in_the_wheel(venv_python: Path, tmp_path: Path) -> None:
    code = (
        "from geppetto_dev.frontend.releases import known_releases; "
        "r = {x.name: x for x in known_releases()}['v0.3.8-alpha']; "
        "print(len(r.lockfile.read_bytes()), r.lockfile)"
    )
    result = in_venv(venv_python, "-c", code, cwd=tmp_path, check=True)
    size, lockfile = result.stdout.split()
    assert int(size) > 100_000
    assert Path(lockfile).is_relative_to(venv_python.parent.parent), lockfile
