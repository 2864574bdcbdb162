"""The model layer is stdlib only: importing it never imports pyecore (or pygeppetto)."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_pull_pyecore() -> None:
    code = (
        "import sys, geppetto_dev.model, geppetto_dev.model.pygeppetto\n"
        "bad = [m for m in sys.modules if m.startswith(('pyecore', 'pygeppetto'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
