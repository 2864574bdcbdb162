"""`geppetto-dev serve` switches the inspector on by default and off with --no-inspector.

End to end, one real server each; how the option, GEPPETTO_DEV_INSPECTOR and the default
combine is tested without a server in tests/test_cli.py.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def status_and_body(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.parametrize(
    ("args", "env", "on"),
    [
        ([], {}, True),
        (["--no-inspector"], {}, False),
    ],
)
def test_inspector_switch(tmp_path: Path, args: list[str], env: dict[str, str], on: bool) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev", "serve", "--port", "0", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **env},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"(http://\S+?)/? ", line)
        assert match, line
        base = match.group(1)
        status, page = status_and_body(base + "/_geppetto/inspector")
        assert status == (200 if on else 404)
        assert ("Geppetto protocol inspector" in page) is on
        # A fresh project has no frontend; its page at / links the inspector when it is on.
        status, root = status_and_body(base + "/")
        assert status == 200 and "not built" in root
        assert ('href="/_geppetto/inspector"' in root) is on
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
