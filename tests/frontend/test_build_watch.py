"""`geppetto-dev build-watch` as a user runs it: rebuilds on change, Ctrl-C leaves no node."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geppetto_dev.frontend.watch import BuildMonitor
from geppetto_dev.procs.groups import group_members
from tests.fixtures.frontend_repo import WEBAPP_PATH, set_fixture_version
from tests.frontend.conftest import Lines, cli_env, needs_node, run_cli
from tests.support import children, pid_alive, wait_until


@needs_node
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_build_watch_rebuilds_and_stops_the_whole_tree(inited: Path, sig: signal.Signals) -> None:
    webapp = inited / "frontend" / WEBAPP_PATH
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev", "build-watch"],
        cwd=inited,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = Lines(proc)
        lines.wait_for("webpack | webpack: watching js/ for changes")
        groups = children(proc.pid)
        assert groups, "the watcher runs as a child process"
        tree = [pid for group in groups for pid in group_members(group)]
        assert len(tree) >= 2  # npm and the node it started (via a shell)

        set_fixture_version(webapp, "edited")
        bundle = webapp / "build" / "main.bundle.js"
        wait_until(lambda: "edited" in bundle.read_text())

        proc.send_signal(sig)
        assert proc.wait(timeout=20) == 0
        assert all(group_members(group) == [] for group in groups)
        assert not any(pid_alive(pid) for pid in tree)
        assert all(line.startswith("webpack | ") for line in lines.rest() if line)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@needs_node
def test_build_watch_without_a_frontend_says_what_to_do(tmp_path: Path) -> None:
    done = run_cli("build-watch", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: no package.json in ")
    assert "init" in done.stderr or "frontend-dir" in done.stderr
    assert done.stderr.count("\n") == 1


@needs_node
def test_build_watch_with_an_unknown_script_lists_the_scripts(inited: Path) -> None:
    done = run_cli("build-watch", "--watch-script", "watch-all", cwd=inited)
    assert done.returncode == 1
    assert "has no script 'watch-all'" in done.stderr
    assert "build-dev-noTest:watch" in done.stderr


def test_build_monitor_fires_once_per_finished_build(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (build / "geppetto.vm").write_text("v0")
    fired: list[float] = []
    # Polls every 50 ms; a build is finished after 1 s without a change.
    monitor = BuildMonitor(build, lambda: fired.append(time.monotonic()), interval=0.05, quiet=1.0)
    monitor.start()
    try:
        time.sleep(0.3)
        assert fired == []  # what was there at start is not a new build
        # One build writing files 0.1 s apart for 0.6 s: every gap is seen by several polls,
        # so a monitor that did not wait for the quiet period would report several builds.
        for i in range(7):
            (build / f"chunk{i}.js").write_text("x" * i)
            time.sleep(0.1)
        last_write = time.monotonic()
        wait_until(lambda: len(fired) == 1, timeout=10)
        assert fired[0] >= last_write  # not before the build stopped writing
        time.sleep(1.5)
        assert len(fired) == 1
        (build / "geppetto.vm").write_text("v1 longer")
        wait_until(lambda: len(fired) == 2, timeout=10)
    finally:
        monitor.stop()


def test_build_monitor_reports_a_failing_callback_through_say(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    said: list[str] = []

    def fail() -> None:
        raise RuntimeError("no server")

    monitor = BuildMonitor(build, fail, say=said.append, interval=0.05, quiet=0.1).start()
    try:
        (build / "main.js").write_text("x")
        wait_until(lambda: said)
        assert said == ["build monitor: reload failed: RuntimeError('no server')"]
        (build / "main.js").write_text("xy")  # monitoring goes on after a failure
        wait_until(lambda: len(said) == 2)
    finally:
        monitor.stop()
