"""`serve --accounts` without the `accounts` extra: one line saying what to install."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev import cli


def test_serve_accounts_without_the_extra_names_the_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec

    def without_login(name: str, *args: Any) -> Any:
        return None if name == "flask_login" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_login)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--accounts", "--port", "0", "--app", "geppetto_dev.example:app"])
    assert exited.value.code == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        "error: accounts need Flask-Login, which is not installed; "
        "install them with: pip install 'geppetto-dev[accounts]'"
    )
