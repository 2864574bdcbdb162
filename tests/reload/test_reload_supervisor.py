"""The Supervisor object run in a thread: its API, the spawn fallback, stale fork servers, crashes.

These run real processes; the policy alone is tested in milliseconds in test_supervisor_policy.py.
The test binds the sockets and hands them over (as `serve --build-watch` does), and finds the
server's pid in the boot id its live-reload socket announces, the fork server as its parent.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import flask
import pytest

from geppetto_dev.config import load_settings
from geppetto_dev.reload import supervisor as supervisor_module
from geppetto_dev.reload.messages import Changes
from geppetto_dev.reload.supervisor import CRASH_WINDOW, Supervisor
from geppetto_dev.server.server import bind
from tests.reload.reloading import get, hello, make_project, write_message
from tests.support import parent_of, pid_alive, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process tests")


class Running:
    def __init__(
        self, supervisor: Supervisor, thread: threading.Thread, out: io.StringIO, port: int
    ) -> None:
        self.supervisor = supervisor
        self.thread = thread
        self.out = out
        self.port = port

    def server_pid(self) -> int:
        """The server answering now (its boot id starts with its pid)."""
        sock, boot = hello(self.port)
        sock.close()
        return int(boot.split("-")[0])

    def fetch(self) -> tuple[int, str]:
        return get(self.port)

    def wait_text(self, text: str) -> None:
        def served() -> bool:
            try:
                return self.fetch() == (200, text)
            except OSError:
                return False

        wait_until(served, 20, repr(text))

    def stop(self) -> None:
        self.supervisor.request_stop()
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture
def run_supervisor(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(**options: bool) -> Running:
        project = make_project(tmp_path)
        settings = load_settings(
            {"app": "app:app", "port": 0, "reload": True, "inspector": False},
            project_dir=project,
            environ={},
        )
        out = io.StringIO()
        sockets = bind(settings)
        supervisor = Supervisor(settings, sockets=sockets, out=out, err=out, **options)
        thread = threading.Thread(target=supervisor.run, daemon=True)
        thread.start()
        assert supervisor.started.wait(30), out.getvalue()
        running = Running(supervisor, thread, out, sockets[0].getsockname()[1])
        started.append(running)
        running.wait_text("v1")
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()


def test_notify_frontend_built_reloads_open_pages(run_supervisor: Callable[..., Running]) -> None:
    running = run_supervisor()
    sock, _boot = hello(running.port)
    running.supervisor.notify_frontend_built()
    assert sock.next_message() == {"type": "reload"}
    sock.close()
    assert "Frontend build finished; reloading open pages." in running.out.getvalue()


def test_without_a_fork_server_each_server_is_spawned_afresh(
    run_supervisor: Callable[..., Running],
) -> None:
    running = run_supervisor(use_forkserver=False)
    first = running.server_pid()
    assert parent_of(first) == os.getpid()  # spawned by the supervisor, not forked
    assert os.getpgid(first) == first  # a process group of its own
    write_message(running.supervisor.settings.project_dir, "v2")
    running.wait_text("v2")
    second = running.server_pid()
    assert second != first and parent_of(second) == os.getpid()
    running.stop()
    assert not pid_alive(first) and not pid_alive(second)


def test_a_change_to_a_module_the_fork_server_imported_restarts_it(
    run_supervisor: Callable[..., Running],
) -> None:
    running = run_supervisor()
    forkserver = parent_of(running.server_pid())
    assert forkserver != os.getpid()
    # As if flask itself had been edited: a fork of the old fork server would run old code.
    running.supervisor.post(Changes(frozenset({Path(flask.__file__).resolve()})))
    wait_until(lambda: "restarting the fork server" in running.out.getvalue())
    wait_until(lambda: parent_of(running.server_pid()) not in (forkserver, os.getpid()))
    running.wait_text("v1")
    wait_until(lambda: not pid_alive(forkserver), 10, "the old fork server to exit")


def test_a_server_that_dies_is_replaced(run_supervisor: Callable[..., Running]) -> None:
    running = run_supervisor()
    pid = running.server_pid()
    time.sleep(CRASH_WINDOW + 0.1)  # it ran for a while: not a crash at startup
    os.killpg(pid, signal.SIGKILL)
    wait_until(lambda: "The server exited unexpectedly" in running.out.getvalue())
    wait_until(lambda: running.server_pid() != pid)
    running.wait_text("v1")


@pytest.mark.parametrize("victim", ["server", "fork server"])
def test_a_server_killed_right_after_starting_is_replaced_and_requests_are_answered(
    run_supervisor: Callable[..., Running], monkeypatch: pytest.MonkeyPatch, victim: str
) -> None:
    # However slow the machine, the kill counts as a death at startup.
    monkeypatch.setattr(supervisor_module, "CRASH_WINDOW", 3600.0)
    running = run_supervisor()
    pid = running.server_pid()
    os.kill(pid if victim == "server" else parent_of(pid), signal.SIGKILL)  # its children die too
    wait_until(lambda: "The server exited right after starting" in running.out.getvalue())
    assert running.fetch() == (200, "v1")  # answered by a new server, not left waiting
    assert running.server_pid() != pid
