"""Accounts as a new user meets them: `geppetto-dev users add` and `geppetto-dev serve
--accounts` as real processes, a real WebSocket and real HTTP, the example app's demo project."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.web import Web, ws_connect
from tests.projects.conftest import Conversation, inner
from tests.server.conftest import run_async
from tests.support import ServeProcess, checkout_env, start_serve

APP = "geppetto_dev.example:app"
PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22"}
DEMO = 1


def cli(project: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geppetto_dev", *args],
        cwd=project,
        env=checkout_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    project = tmp_path_factory.mktemp("lab")
    for name, password in PASSWORDS.items():
        added = cli(project, "users", "add", name, "--password-stdin", stdin=password + "\n")
        assert added.returncode == 0, added.stderr
        assert password not in added.stdout + added.stderr
    server = start_serve(project, "--accounts", "--app", APP, "--no-inspector")
    yield server
    server.stop()


async def open_conversation(served: ServeProcess, cookie: str = "") -> tuple[Conversation, Any]:
    ws = f"ws://127.0.0.1:{served.port}/org.geppetto.frontend/GeppettoServlet"
    client = await ws_connect(ws, cookie)
    _, privileges = await client.handshake()
    return Conversation(client), json.loads(json.loads(privileges["data"])["user_privileges"])


async def run_to_completion(talk: Conversation, project_id: int) -> list[str]:
    await talk.client.request("run_experiment", {"projectId": project_id, "experimentId": 1})
    told: list[str] = []
    while not told or told[-1] not in ("COMPLETED", "ERROR"):
        await asyncio.sleep(0.1)
        (status,) = await talk.ask("experiment_status", str(project_id))
        told += [s["status"] for s in inner(status, "update") if s["experimentID"] == "1"]
    return told


def test_the_banner_says_accounts_are_on(served: ServeProcess) -> None:
    served.wait_output("Access: accounts (2 users); log in at /login")


def test_logged_out_a_client_reads_but_cannot_run_or_edit(served: ServeProcess) -> None:
    async def scenario() -> None:
        talk, privileges = await open_conversation(served)
        assert privileges["loggedIn"] is False and privileges["privileges"] == ["READ_PROJECT"]
        loaded = await talk.ask("load_project_from_id", {"projectId": DEMO}, 4)
        assert inner(loaded[0])["project"]["name"] == "demo"
        for kind, data in [
            ("run_experiment", {"projectId": DEMO, "experimentId": 1}),
            ("new_experiment", {"projectId": DEMO}),
            ("save_project_properties", {"projectId": DEMO, "properties": {"name": "mine"}}),
        ]:
            (reply,) = await talk.ask(kind, data)
            assert reply["type"] == "info_message", reply
            assert inner(reply, "message").startswith("Log in to ")
        (status,) = await talk.ask("experiment_status", str(DEMO))
        assert inner(status, "update")[0]["status"] == "DESIGN"
        talk.client.conn.close()

    run_async(scenario())
    served.wait_output("refused run_experiment from Guest (127.0.0.1)")


def test_logged_in_the_same_user_runs_and_saves_a_private_copy(served: ServeProcess) -> None:
    alice, bob = Web(served.url), Web(served.url)
    assert alice.login("alice", PASSWORDS["alice"]).status == 303
    assert bob.login("bob", PASSWORDS["bob"]).status == 303

    async def scenario() -> int:
        talk, privileges = await open_conversation(served, alice.cookie_header())
        assert privileges["userName"] == "alice" and "RUN_EXPERIMENT" in privileges["privileges"]
        await talk.ask("load_project_from_id", {"projectId": DEMO}, 4)
        told = await run_to_completion(talk, DEMO)
        assert told[-1] == "COMPLETED", told
        (persisted,) = await talk.ask("persist_project", {"projectId": DEMO})
        copy = int(inner(persisted, "update")["projectID"])
        talk.client.conn.close()
        other, _ = await open_conversation(served, bob.cookie_header())
        (refused,) = await other.ask("load_project_from_id", {"projectId": copy})
        assert refused["type"] == "error_loading_project"
        assert str(copy) in refused["payload"]["message"]
        other.client.conn.close()
        return copy

    copy = run_async(scenario())
    served.wait_output("alice (127.0.0.1) started experiment 1 of project 1 (run 1)")
    assert copy in [p["id"] for p in json.loads(alice.get("/projects").text)]
    assert copy not in [p["id"] for p in json.loads(bob.get("/projects").text)]
    assert copy not in [p["id"] for p in json.loads(Web(served.url).get("/projects").text)]
    assert json.loads(bob.get("/currentuser").text)["login"] == "bob"


def test_wrong_passwords_are_rate_limited(served: ServeProcess) -> None:
    web = Web(served.url)
    assert [web.login("bob", "not-his-password").status for _ in range(5)] == [401] * 5
    assert web.login("bob", PASSWORDS["bob"]).status == 429


def test_a_cross_site_login_without_the_token_is_refused(served: ServeProcess) -> None:
    web = Web(served.url)
    answer = web.post(
        "/login",
        {"username": "alice", "password": PASSWORDS["alice"]},
        headers={"Origin": "http://evil.example", "Referer": "http://evil.example/"},
    )
    assert answer.status == 400 and "came from another site" in answer.text

    async def privileges() -> Any:
        talk, told = await open_conversation(served, web.cookie_header())
        talk.client.conn.close()
        return told

    assert run_async(privileges())["loggedIn"] is False
    served.wait_output("refused a login form without a valid CSRF token from 127.0.0.1")


def test_no_password_appears_in_the_servers_output(served: ServeProcess) -> None:
    Web(served.url).login("alice", "a-guess-that-is-wrong")
    served.wait_output("failed login for 'alice' from 127.0.0.1")
    output = served.text()
    for secret in [*PASSWORDS.values(), "a-guess-that-is-wrong"]:
        assert secret not in output
    assert "scrypt:" not in output


def test_serving_the_network_without_accounts_takes_an_explicit_option(tmp_path: Path) -> None:
    refused = cli(tmp_path, "serve", "--host", "0.0.0.0", "--port", "0", "--app", APP)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    (line,) = refused.stderr.splitlines()
    assert line.startswith("error: serving on 0.0.0.0 without accounts lets anyone")
    assert "--accounts" in line and "--trust-network" in line
