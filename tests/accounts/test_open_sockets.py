"""A WebSocket already open when its login ends (a logout elsewhere, a removed account) acts as
a guest from then on, and one whose account gets another role acts with that role's privileges;
its client is told, over a real server in accounts mode."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from geppetto_dev.accounts import Account, AccountStore
from geppetto_dev.storage import database
from tests.accounts.conftest import PASSWORDS, Served
from tests.accounts.web import Web, ws_connect
from tests.projects.conftest import TINY_ID
from tests.server.conftest import Client, run_async

RECHECK_S = 0.1


@pytest.fixture
def served(
    database_url: str,
    users: dict[str, Account],
    start_server: Any,
    tiny: Any,
) -> Served:
    server = start_server(accounts=True, database_url=database_url, login_recheck=RECHECK_S)
    return Served(server, users)


def privileges_of(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "user_privileges", message
    found: dict[str, Any] = json.loads(json.loads(message["data"])["user_privileges"])
    return found


async def open_as(served: Served, cookie: str) -> Client:
    client = await ws_connect(served.ws_url, cookie)
    _client_id, privileges = await client.handshake()
    assert privileges_of(privileges)["loggedIn"] is bool(cookie)
    return client


async def told_the_login_ended(client: Client) -> None:
    """The new privileges and a message, then a run refused as for any guest."""
    privileges = privileges_of(await client.recv(timeout=10))
    assert privileges == {
        "userName": "Guest",
        "loggedIn": False,
        "hasPersistence": True,
        "privileges": ["READ_PROJECT"],
    }
    told = await client.recv()
    assert told["type"] == "info_message"
    assert "Your login has ended" in json.loads(json.loads(told["data"])["message"])
    await client.request("run_experiment", {"projectId": TINY_ID, "experimentId": 1}, "r1")
    refused = await client.recv()
    assert refused["type"] == "info_message" and refused["requestID"] == "r1"
    assert json.loads(json.loads(refused["data"])["message"]).startswith("Log in to run")


async def nothing_arrives(client: Client, seconds: float) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await client.recv(timeout=seconds)


def test_a_logout_elsewhere_reaches_an_open_socket(served: Served) -> None:
    web = Web(served.url)
    web.login("alice", PASSWORDS["alice"])

    async def scenario() -> None:
        client = await open_as(served, web.cookie_header())
        # While the login lasts the socket is told nothing new.
        await nothing_arrives(client, RECHECK_S * 5)
        await asyncio.to_thread(web.logout)
        await told_the_login_ended(client)
        client.conn.close()

    run_async(scenario())


def test_a_removed_account_loses_its_open_sockets(served: Served, database_url: str) -> None:
    web = Web(served.url)
    web.login("bob", PASSWORDS["bob"])

    async def scenario() -> None:
        client = await open_as(served, web.cookie_header())
        # As `geppetto-dev users remove bob` does, from another process.
        assert AccountStore(database(database_url)).remove("bob") is not None
        await told_the_login_ended(client)
        # Ended, the socket reads the login no more: nothing further arrives.
        await nothing_arrives(client, RECHECK_S * 5)
        client.conn.close()

    run_async(scenario())


def test_a_guests_socket_is_told_nothing(served: Served) -> None:
    async def scenario() -> None:
        client = await open_as(served, "")
        await nothing_arrives(client, RECHECK_S * 5)
        client.conn.close()

    run_async(scenario())


def test_a_new_role_reaches_an_open_socket(served: Served, database_url: str) -> None:
    web = Web(served.url)
    web.login("alice", PASSWORDS["alice"])

    async def scenario() -> None:
        client = await open_as(served, web.cookie_header())
        # As `geppetto-dev users role alice viewer` does, from another process.
        assert AccountStore(database(database_url)).set_role("alice", "viewer") is not None
        privileges = privileges_of(await client.recv(timeout=10))
        assert privileges["userName"] == "alice" and privileges["loggedIn"] is True
        assert privileges["privileges"] == ["READ_PROJECT", "DOWNLOAD"]
        await client.request("run_experiment", {"projectId": TINY_ID, "experimentId": 1}, "r1")
        refused = await client.recv()
        assert refused["type"] == "info_message" and refused["requestID"] == "r1"
        why = json.loads(json.loads(refused["data"])["message"])
        assert why == "alice may not run experiments: it needs the RUN_EXPERIMENT privilege."
        client.conn.close()

    run_async(scenario())
