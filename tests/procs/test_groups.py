"""The one stop_group and the stop-signal helper, with real process groups and signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from geppetto_dev.procs.groups import group_alive, group_members, popen_exited, stop_group
from geppetto_dev.procs.signals import STOP_SIGNALS, on_stop_signals

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux groups")


def start_group(code: str, ready: Path) -> subprocess.Popen[bytes]:
    """A Python leader in a group of its own, running `code`; waits until it wrote `ready`."""
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    deadline = time.monotonic() + 20
    while not ready.exists():
        assert time.monotonic() < deadline, "the group did not start"
        assert proc.poll() is None, "the leader died at startup"
        time.sleep(0.02)
    return proc


# A member that ignores SIGTERM, and a leader that exits on it.
STUBBORN_MEMBER = """
import pathlib, signal, subprocess, sys, time
member = subprocess.Popen([sys.executable, "-c",
    "import signal, time, pathlib; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "pathlib.Path({ready!r}).write_text('x'); time.sleep(60)"])
time.sleep(60)
"""


def test_members_that_outlive_a_clean_leader_are_killed(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    proc = start_group(STUBBORN_MEMBER.format(ready=str(ready)), ready)
    assert len(group_members(proc.pid)) == 2
    assert stop_group(proc.pid, popen_exited(proc), grace=0.5, kill_wait=2) is True
    assert not group_alive(proc.pid)


def test_a_leader_that_ignores_sigterm_is_killed_and_reported(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    code = (
        "import signal, time, pathlib; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"pathlib.Path({str(ready)!r}).write_text('x'); time.sleep(60)"
    )
    proc = start_group(code, ready)
    assert stop_group(proc.pid, popen_exited(proc), grace=0.3, kill_wait=2) is False
    assert proc.returncode == -signal.SIGKILL
    assert not group_alive(proc.pid)


def test_a_member_finishing_after_its_leader_gets_the_rest_of_the_grace(tmp_path: Path) -> None:
    # npm exits on SIGTERM before the node it started; node's own clean exit must not be cut.
    ready, done = tmp_path / "ready", tmp_path / "done"
    member = (
        "import pathlib, signal, sys, time\n"
        "def bye(*_):\n"
        "    time.sleep(0.3)\n"
        f"    pathlib.Path({str(done)!r}).write_text('clean')\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, bye)\n"
        f"pathlib.Path({str(ready)!r}).write_text('x')\n"
        "time.sleep(60)\n"
    )
    leader = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {member!r}])\n"
        "time.sleep(60)\n"
    )
    proc = start_group(leader, ready)
    assert stop_group(proc.pid, popen_exited(proc), grace=10, kill_wait=2) is True
    assert done.read_text() == "clean"


def test_a_group_already_gone_is_a_clean_stop(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    proc.wait()
    assert stop_group(proc.pid, popen_exited(proc)) is True


def test_stop_signals_are_handled_even_when_sigint_came_in_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    heard: list[int] = []
    try:
        restore = on_stop_signals(lambda: heard.append(1))
        try:
            for sig in STOP_SIGNALS:
                os.kill(os.getpid(), sig)
            assert len(heard) == len(STOP_SIGNALS)
        finally:
            restore()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_off_the_main_thread_no_handler_is_installed() -> None:
    before = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    thread = threading.Thread(target=lambda: on_stop_signals(lambda: None)())
    thread.start()
    thread.join()
    assert {sig: signal.getsignal(sig) for sig in STOP_SIGNALS} == before
