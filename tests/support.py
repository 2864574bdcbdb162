"""Helpers shared by the test packages: waiting, free ports, processes seen in /proc, and a
real `geppetto-dev serve`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = [
    "REPO",
    "SERVING",
    "ServeProcess",
    "checkout_env",
    "children",
    "descendants",
    "empty_project",
    "free_port",
    "parent_of",
    "pid_alive",
    "start_serve",
    "wait_until",
]

REPO = Path(__file__).resolve().parents[1]
# The banner `serve` prints once it accepts connections; users read it, so tests may too.
SERVING = re.compile(r"Serving Geppetto on (https?://\S+?)/?(?:\s|$)")


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    """Poll `predicate` until it is true; fail after `timeout` seconds saying what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def _stat(pid: int | str) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces and parens):
    state, parent, process group, ...; None once the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return stat[stat.rfind(b")") + 2 :].split()


def pid_alive(pid: int) -> bool:
    """Whether the process runs: a zombie waiting to be reaped is not alive."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in (b"Z", b"X")


def parent_of(pid: int) -> int:
    """The parent of a running process, from /proc (Linux)."""
    fields = _stat(pid)
    assert fields is not None, f"no process {pid}"
    return int(fields[1])


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (zombies included), from /proc."""
    parents = _parents()
    return sorted(child for child, parent in parents.items() if parent == pid)


def descendants(pid: int) -> set[int]:
    """Every process below `pid`: children, their children, and so on."""
    parents = _parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        fields = _stat(entry) if entry.isdigit() else None
        if fields is not None:
            parents[int(entry)] = int(fields[1])
    return parents


def empty_project(folder: Path) -> Path:
    """A project with nothing of its own yet (`serve` refuses a folder that is no project)."""
    (folder / "pyproject.toml").write_text("[tool.geppetto-dev]\n")
    return folder


def free_port() -> int:
    """A loopback port free at the time of the call (for a server that must know it up front)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def checkout_env() -> dict[str, str]:
    """This environment with this checkout importable: what a child runs by default."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def add_account(
    project: Path, name: str, password: str, env: Mapping[str, str] | None = None
) -> None:
    """`geppetto-dev users add NAME --password-stdin` in `project`, as a user types it."""
    added = subprocess.run(
        [sys.executable, "-m", "geppetto_dev", "users", "add", name, "--password-stdin"],
        cwd=project,
        env={**checkout_env(), **(env or {})},
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stdout + added.stderr


class ServeProcess:
    """`python -m geppetto_dev serve ARGS` in a real process, its output collected line by line.

    By default the child is this interpreter on this checkout; `python` and `base_env` run
    another install instead (an installed wheel), `env` adds to whichever environment it is.
    `command` runs another command that serves (`view`).
    """

    def __init__(
        self,
        project: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        preexec: Callable[[], None] | None = None,
        python: str = sys.executable,
        base_env: Mapping[str, str] | None = None,
        command: str = "serve",
    ) -> None:
        self.project = project
        self.output: list[str] = []
        self.url = ""
        self._ready = threading.Event()
        self.proc = subprocess.Popen(
            [python, "-m", "geppetto_dev", command, *args],
            cwd=project,
            env={
                **(checkout_env() if base_env is None else base_env),
                "PYTHONUNBUFFERED": "1",
                **(env or {}),
            },
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec,
        )
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            match = SERVING.search(line)
            if match and not self.url:
                self.url = match.group(1).rstrip("/")
                self._ready.set()
        self._ready.set()  # the process ended: nobody waits for a banner that cannot come

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1]) if self.url else 0

    def wait_serving(self, timeout: float = 30.0) -> ServeProcess:
        """Until the banner; a process that ends or stays silent fails with its output."""
        self._ready.wait(timeout)
        if not self.url:
            self.stop(signal.SIGKILL)
            raise AssertionError("geppetto-dev serve did not start:\n" + self.text())
        return self

    def text(self) -> str:
        return "".join(self.output)

    def wait_output(self, needle: str, start: int = 0, timeout: float = 30.0) -> None:
        wait_until(lambda: needle in "".join(self.output[start:]), timeout, repr(needle))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Signal the process (TERM by default), KILL it after `timeout`; its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        code = self.proc.wait()
        self.pump.join(5)
        return code


def start_serve(
    project: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    port: int | str = 0,
    python: str = sys.executable,
    base_env: Mapping[str, str] | None = None,
) -> ServeProcess:
    """`geppetto-dev serve --port PORT ARGS` (any free port by default), once it serves."""
    served = ServeProcess(
        project, "--port", str(port), *args, env=env, python=python, base_env=base_env
    )
    return served.wait_serving()
