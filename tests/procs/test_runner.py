"""The process runner with real processes, groups and signals."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from geppetto_dev.procs.groups import group_members
from geppetto_dev.procs.runner import ProcessSpec, Runner
from tests.support import wait_until

PY = sys.executable
REPO = Path(__file__).resolve().parents[2]


def py(code: str) -> list[str]:
    return [PY, "-c", code]


def test_lines_are_prefixed_and_a_critical_exit_code_is_returned() -> None:
    out = io.StringIO()
    runner = Runner(
        [
            ProcessSpec("server", py("import time; print('hello'); time.sleep(30)")),
            ProcessSpec("webpack", py("print('built'); raise SystemExit(3)")),
        ],
        out=out,
        colour=False,
    )
    assert runner.run() == 3
    lines = out.getvalue().splitlines()
    assert "webpack | built" in lines
    assert "webpack | exited with code 3; stopping the others" in lines
    # The server line may or may not have been printed before the stop; its prefix is padded.
    assert all(line.startswith(("server  | ", "webpack | ")) for line in lines)


def test_a_non_critical_exit_is_reported_and_the_others_keep_running(tmp_path: Path) -> None:
    marker = tmp_path / "still-running"
    out = io.StringIO()
    runner = Runner(
        [
            ProcessSpec(
                "server",
                py(
                    "import time, pathlib\n"
                    "time.sleep(0.5)\n"
                    f"pathlib.Path({str(marker)!r}).write_text('yes')\n"
                    "print('still serving')\n"
                ),
            ),
            ProcessSpec("webpack", py("raise SystemExit('crash')"), critical=False),
        ],
        out=out,
        colour=False,
    )
    assert runner.run() == 0  # the server ended normally
    text = out.getvalue()
    assert "webpack | crash" in text
    assert "webpack | exited with code 1; still running: server" in text
    assert "server  | still serving" in text
    assert marker.read_text() == "yes"


def test_colour_prefix_on_request() -> None:
    out = io.StringIO()
    Runner([ProcessSpec("w", py("print('x')"))], out=out, colour=True).run()
    assert "\x1b[36mw |\x1b[0m x" in out.getvalue()


def test_stop_reaches_grandchildren_and_escalates_to_sigkill(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    # A shell whose child ignores SIGTERM: only SIGKILL to the whole group ends it.
    script = (
        f"{PY} -c 'import signal, time, os; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f'open("{pids}", "w").write(str(os.getpid())); print("ready", flush=True); '
        "time.sleep(60)' & wait"
    )
    runner = Runner([ProcessSpec("stubborn", ["sh", "-c", script])], out=io.StringIO())
    runner.stop_timeout = 0.5
    runner.start()
    wait_until(lambda: pids.exists() and pids.read_text())
    group = runner.procs["stubborn"].pid
    grandchild = int(pids.read_text())
    assert grandchild in group_members(group)
    runner.stop()
    assert group_members(group) == []


def test_sigterm_stops_everything_and_returns_zero(tmp_path: Path) -> None:
    pids = tmp_path / "pid"
    runner = Runner(
        [
            ProcessSpec(
                "sleeper",
                [
                    "sh",
                    "-c",
                    f'{PY} -c \'import os, time; open("{pids}", "w").write(str(os.getpid()));'
                    " time.sleep(60)' & wait",
                ],
            )
        ],
        out=io.StringIO(),
    )

    def terminate_when_started() -> None:
        wait_until(lambda: pids.exists() and pids.read_text())
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_when_started, daemon=True).start()
    previous = signal.getsignal(signal.SIGTERM)
    assert runner.run() == 0
    assert signal.getsignal(signal.SIGTERM) is previous  # the handler is put back
    assert group_members(runner.procs["sleeper"].pid) == []


def test_request_stop_from_another_thread() -> None:
    runner = Runner([ProcessSpec("s", py("import time; time.sleep(60)"))], out=io.StringIO())
    threading.Timer(0.3, runner.request_stop).start()
    assert runner.run() == 0
    assert runner.procs["s"].returncode is not None


def test_a_missing_program_is_reported_not_raised() -> None:
    out = io.StringIO()
    runner = Runner([ProcessSpec("ghost", ["/nonexistent/program"])], out=out, colour=False)
    assert runner.run() == 127
    assert "ghost | cannot start /nonexistent/program" in out.getvalue()


def test_a_killed_runner_takes_every_group_with_it(tmp_path: Path) -> None:
    """Even SIGKILL (no chance to clean up): each group's guard ends its group."""
    pids = tmp_path / "pids"
    script = (
        "import sys\n"
        "from geppetto_dev.procs.runner import ProcessSpec, Runner\n"
        "spec = ProcessSpec('w', ['sh', '-c', "
        f"'sleep 60 & echo $! > {pids}; sleep 60; wait'])\n"
        "Runner([spec]).run()\n"
    )
    runner = subprocess.Popen(
        [PY, "-c", script], env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True
    )
    try:
        wait_until(lambda: pids.exists() and pids.read_text().strip())
        grandchild = int(pids.read_text())
        group = os.getpgid(grandchild)
        assert group != os.getpgid(runner.pid)
        runner.kill()
        runner.wait()
        wait_until(lambda: group_members(group) == [])
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()


def test_a_second_ctrl_c_while_stopping_does_not_break_the_stop(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from geppetto_dev.procs.runner import ProcessSpec, Runner\n"
        "child = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        'print("ready", flush=True); time.sleep(60)\'\n'
        "spec = ProcessSpec('stubborn', [sys.executable, '-c', child])\n"
        "runner = Runner([spec], stop_timeout=1)\n"
        "sys.exit(runner.run())\n"
    )
    runner = subprocess.Popen(
        [PY, "-c", script],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert runner.stdout is not None
    assert runner.stdout.readline() == "stubborn | ready\n"
    runner.send_signal(signal.SIGINT)
    time.sleep(0.3)  # lets the first stop begin; the outcome does not depend on this timing
    runner.send_signal(signal.SIGINT)
    _, err = runner.communicate(timeout=30)
    assert runner.returncode == 0
    assert err == ""


def test_a_redrawn_progress_line_shows_its_last_state_after_the_prefix() -> None:
    out = io.StringIO()
    code = "import sys; sys.stdout.write('10%\\r50%\\r100% done\\r\\nnext\\n')"
    Runner([ProcessSpec("webpack", py(code))], out=out, colour=False).run()
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["webpack | 100% done", "webpack | next"]
