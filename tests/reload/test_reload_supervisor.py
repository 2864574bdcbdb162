"""The Supervisor object run in a thread: its API, the spawn fallback, stale templates, crashes."""

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
from geppetto_dev.reload.supervisor import CRASH_WINDOW, Supervisor
from tests.reload.reloading import get, hello, make_project, pid_alive, wait_until, write_message

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process tests")


class Running:
    def __init__(self, supervisor: Supervisor, thread: threading.Thread, out: io.StringIO) -> None:
        self.supervisor = supervisor
        self.thread = thread
        self.out = out

    @property
    def port(self) -> int:
        return int(self.supervisor.sockets[0].getsockname()[1])

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
        supervisor = Supervisor(settings, out=out, err=out, **options)
        thread = threading.Thread(target=supervisor.run, daemon=True)
        thread.start()
        assert supervisor.started.wait(30), out.getvalue()
        running = Running(supervisor, thread, out)
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


def test_without_a_template_each_server_is_spawned_afresh(
    run_supervisor: Callable[..., Running],
) -> None:
    running = run_supervisor(use_template=False)
    assert running.supervisor.template_pid is None
    first = running.supervisor.server_pid
    assert first is not None and os.getpgid(first) == first  # a process group of its own
    write_message(running.supervisor.settings.project_dir, "v2")
    running.wait_text("v2")
    assert running.supervisor.server_pid != first
    running.stop()
    assert not pid_alive(first)


def test_a_change_to_a_module_the_template_imported_restarts_the_template(
    run_supervisor: Callable[..., Running],
) -> None:
    running = run_supervisor()
    template = running.supervisor.template_pid
    assert template is not None
    # As if flask itself had been edited: a fork of the old template would run the old code.
    running.supervisor._events.put(("changes", {Path(flask.__file__).resolve()}))
    wait_until(lambda: "restarting the template process" in running.out.getvalue())
    wait_until(lambda: running.supervisor.template_pid not in (None, template))
    running.wait_text("v1")
    wait_until(lambda: not pid_alive(template), 10, "the old template to exit")


def test_a_server_that_dies_is_replaced(run_supervisor: Callable[..., Running]) -> None:
    running = run_supervisor()
    pid = running.supervisor.server_pid
    assert pid is not None
    time.sleep(CRASH_WINDOW + 0.1)  # it ran for a while: not a crash at startup
    os.killpg(pid, signal.SIGKILL)
    wait_until(lambda: "The server exited unexpectedly" in running.out.getvalue())
    wait_until(lambda: running.supervisor.server_pid not in (None, pid))
    running.wait_text("v1")
