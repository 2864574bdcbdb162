"""Shared helpers: the CLI as a subprocess, a fixture remote, and an inited project."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.fixtures.frontend_repo import make_frontend_repo

REPO = Path(__file__).resolve().parents[2]


def require_node_tools() -> None:
    """Skip without git, node and npm; in CI (GEPPETTO_DEV_REQUIRE_NODE=1) fail instead."""
    missing = [tool for tool in ("git", "node", "npm") if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} not found on PATH"
    if os.environ.get("GEPPETTO_DEV_REQUIRE_NODE") == "1":
        pytest.fail(f"{reason}, and GEPPETTO_DEV_REQUIRE_NODE=1 requires these tests")
    pytest.skip(f"{reason}; install git and Node.js (with npm) to run these tests")


@pytest.fixture
def node_tools() -> None:
    require_node_tools()


needs_node = pytest.mark.usefixtures("node_tools")


def cli_env(**extra: str) -> dict[str, str]:
    """The CLI's environment: this checkout importable; npm kept off the network."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "npm_config_offline": "true",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
    }
    for key in list(env):
        if key.startswith("GEPPETTO_DEV_"):
            del env[key]
    env.update(extra)
    return env


class Lines:
    """A child's output lines, read in the background so waits can time out."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """The first line, seen before or from now on, that contains `text`."""
        for line in self.seen:
            if text in line:
                return line
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{text!r} not seen; output so far: {self.seen}")
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"{text!r} not seen before exit; output: {self.seen}")
            self.seen.append(line)
            if text in line:
                return line

    def rest(self) -> list[str]:
        while (line := self._queue.get(timeout=10)) is not None:
            self.seen.append(line)
        return self.seen


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geppetto_dev", *args],
        cwd=cwd,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def remote_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_node_tools()  # session fixtures run before the tests' own gate
    return make_frontend_repo(tmp_path_factory.mktemp("remote-template") / "frontend.git")


@pytest.fixture
def remote(tmp_path: Path, remote_template: Path) -> Path:
    """A fresh copy per test, so tests may add commits and tags to it."""
    copy = tmp_path / "remote"
    shutil.copytree(remote_template, copy, symlinks=True)
    return copy


@pytest.fixture(scope="session")
def inited_template(tmp_path_factory: pytest.TempPathFactory, remote_template: Path) -> Path:
    """A project made once by `init` from the session remote (copied per test)."""
    base = tmp_path_factory.mktemp("inited")
    done = run_cli("init", "proj", "--frontend-repo", str(remote_template), cwd=base)
    assert done.returncode == 0, done.stdout + done.stderr
    return base / "proj"


@pytest.fixture
def inited(tmp_path: Path, inited_template: Path) -> Path:
    copy = tmp_path / "proj"
    shutil.copytree(inited_template, copy, symlinks=True)
    return copy
