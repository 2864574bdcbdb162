"""An app that fails to import, in the terminal of a real `geppetto-dev serve`: a few lines
naming the user's files, not the server stack's 75."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import ServeProcess

HELPER = "def setup():\n    raise KeyError('DATABASE_URL')\n"
APP = "from flask import Flask\n\nimport helper\n\nhelper.setup()\napp = Flask(__name__)\n"
# A frame of the server stack or of the import machinery, as Python prints it.
STACK_FRAME = re.compile(r'File ".*(?:geppetto_dev|tornado|flask|importlib|<frozen)')


def broken_project(folder: Path, helper: str = HELPER) -> Path:
    (folder / "app.py").write_text(APP)
    (folder / "helper.py").write_text(helper)
    return folder


def failed_load(text: str) -> list[str]:
    """The lines from `error: the app failed to load:` to the exception's own line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "error: the app failed to load:" in line)
    return lines[start:]


@pytest.mark.parametrize(
    ("helper", "expected"),
    [
        (HELPER, ['helper.py", line 2, in setup', "KeyError: 'DATABASE_URL'"]),
        ("def setup(:\n    pass\n", ['helper.py", line 1', "SyntaxError: "]),
    ],
)
def test_plain_serve_prints_a_short_traceback_and_exits_1(
    tmp_path: Path, helper: str, expected: list[str]
) -> None:
    project = broken_project(tmp_path, helper)
    served = ServeProcess(project, "--app", "app:app", "--port", "0")
    assert served.proc.wait(60) == 1
    served.pump.join(5)
    lines = failed_load(served.text())
    text = "\n".join(lines)
    assert len(served.text().splitlines()) <= 14, served.text()
    assert 'app.py", line 3, in <module>' in text or 'app.py", line 5, in <module>' in text
    for part in expected:
        assert part in text
    assert not STACK_FRAME.search(text), text
    assert "frames of geppetto-dev, Python and libraries not shown" in text
    assert lines[-1].startswith("hint: ") and "--reload" in lines[-1]
    assert "Serving Geppetto" not in served.text()
    assert not (project / "data").exists()  # nothing was started, nothing left behind


def test_under_reload_the_terminal_gets_the_same_short_traceback(tmp_path: Path) -> None:
    project = broken_project(tmp_path)
    served = ServeProcess(project, "--app", "app:app", "--port", "0", "--reload")
    try:
        served.wait_serving()
        served.wait_output("serving an error page until the next save")
        text = served.text()
        block = failed_load(text)
        end = next(i for i, line in enumerate(block) if line.startswith("KeyError"))
        shown = "\n".join(block[: end + 1])
        assert 'helper.py", line 2, in setup' in shown and 'app.py", line 5' in shown
        assert not STACK_FRAME.search(shown), shown
        assert end < 12
    finally:
        assert served.stop() == 0
