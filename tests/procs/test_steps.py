"""run_step and its Console: init's long steps, with a status line and a full log."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.procs.steps import Console, run_step


def test_a_step_off_a_terminal_prints_plain_lines_and_logs_everything(tmp_path: Path) -> None:
    out = io.StringIO()
    log = tmp_path / "logs" / "step.log"
    run_step(
        Console(out, live=False),
        "count",
        [sys.executable, "-c", "for i in range(3): print('line', i)"],
        cwd=tmp_path,
        log_path=log,
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "-> count"
    assert lines[1].startswith("ok count (")
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()
    assert "line 0\nline 1\nline 2\n" in log.read_text()


def test_a_step_on_a_terminal_rewrites_one_status_line(tmp_path: Path) -> None:
    out = io.StringIO()
    code = "import time\nfor i in range(4):\n    print('working on', i, flush=True)\n"
    code += "    time.sleep(0.3)\n"
    run_step(
        Console(out, live=True),
        "work",
        [sys.executable, "-c", code],
        cwd=tmp_path,
        log_path=tmp_path / "w.log",
    )
    segments = out.getvalue().split("\r\x1b[K")
    # The status: step name, elapsed seconds and the tool's last line, rewritten in place.
    assert any(s.startswith("work [") and "working on" in s for s in segments)
    assert segments[-1].startswith("ok work (") and segments[-1].count("\n") == 1


def test_a_failed_step_prints_its_tail_and_log_path_and_raises(tmp_path: Path) -> None:
    out = io.StringIO()
    log = tmp_path / "fail.log"
    code = "import sys\nfor i in range(40): print('noise', i)\nprint('the real error')\nsys.exit(3)"
    with pytest.raises(GeppettoDevError) as caught:
        run_step(
            Console(out, live=False),
            "build",
            [sys.executable, "-c", code],
            cwd=tmp_path,
            log_path=log,
            hint="fix it",
        )
    assert "exit code 3" in caught.value.message and caught.value.hint == "fix it"
    text = out.getvalue()
    assert "    the real error" in text
    assert "noise 0\n" not in text  # only the tail is shown...
    assert "noise 0\n" in log.read_text()  # ...the log has everything
    assert f"full log: {log}" in text
