"""`geppetto-dev serve` switches the inspector on by default and off with --no-inspector.

End to end, one real server each; how the option, GEPPETTO_DEV_INSPECTOR and the default
combine is tested without a server in tests/test_cli.py.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from geppetto_dev.config import INSPECTOR_PATH
from tests.support import empty_project, start_serve


def status_and_body(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.parametrize(
    ("args", "on"),
    [([], True), (["--no-inspector"], False)],
)
def test_inspector_switch(tmp_path: Path, args: list[str], on: bool) -> None:
    served = start_serve(empty_project(tmp_path), *args)
    try:
        base = served.url
        status, page = status_and_body(base + INSPECTOR_PATH)
        assert status == (200 if on else 404)
        assert ("Geppetto protocol inspector" in page) is on
        # A fresh project has no frontend: / is the embedded one, linking the inspector if on.
        status, root = status_and_body(base + "/")
        assert status == 200 and "/geppetto/build/main.js" in root
        assert (f'href="{INSPECTOR_PATH}"' in root) is on
    finally:
        assert served.stop() == 0
