"""Single-user mode, the default, as it was: one user with the settings' privileges, who owns
every project; the banner says so, and /currentuser answers for that user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geppetto_dev.config import DEFAULT_PRIVILEGES
from tests.accounts.web import Web
from tests.server.conftest import start_server, webapp  # noqa: F401 (fixtures)
from tests.support import start_serve


def test_currentuser_is_the_single_user(start_server: Any) -> None:  # noqa: F811
    served = start_server()
    current = json.loads(Web(served.url).get("/org.geppetto.frontend/currentuser").text)
    assert current["login"] == "Python User" and current["loggedIn"] is True
    assert current["userGroup"]["privileges"] == list(DEFAULT_PRIVILEGES)
    assert Web(served.url).get("/login").status == 404  # no login pages without accounts


def test_the_banner_says_single_user(tmp_path: Path) -> None:
    served = start_serve(tmp_path, "--no-inspector", "--app", "geppetto_dev.example:app")
    try:
        served.wait_output("Access: single user: everyone who connects acts as 'Python User'")
        lines = served.text().splitlines()
        assert lines[1].startswith("Experiments: stored in") and lines[2].startswith("Access:")
    finally:
        served.stop()


def test_a_trusted_network_serves_without_accounts(tmp_path: Path) -> None:
    served = start_serve(
        tmp_path, "--no-inspector", "--app", "geppetto_dev.example:app", "--host", "0.0.0.0",
        "--trust-network",
    )  # fmt: skip
    try:
        served.wait_output("from any machine that reaches 0.0.0.0 (trust-network)")
    finally:
        served.stop()
