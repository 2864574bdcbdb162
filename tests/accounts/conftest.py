"""Accounts on SQLite and on a real PostgreSQL server, three users, and a real server in
accounts mode serving the tiny project."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.accounts import Account, AccountStore
from geppetto_dev.accounts.passwords import hash_password
from geppetto_dev.storage import database
from tests.fixtures.databases import fresh_database
from tests.projects.conftest import tiny  # noqa: F401 (fixture)
from tests.server.conftest import projects, start_server, webapp  # noqa: F401 (fixtures)

PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22", "root": "root-secret-333"}
ROLES = {"alice": "user", "bob": "user", "root": "admin"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def users(database_url: str) -> dict[str, Account]:
    """alice and bob (role user) and root (admin), with the passwords of PASSWORDS."""
    store = AccountStore(database(database_url))
    return {name: store.add(name, ROLES[name], hash_password(PASSWORDS[name])) for name in ROLES}


@dataclass
class Served:
    server: Any
    users: dict[str, Account]

    @property
    def url(self) -> str:
        return str(self.server.url)

    @property
    def ws_url(self) -> str:
        return str(self.server.ws_url)


@pytest.fixture
def served(
    database_url: str,
    users: dict[str, Account],
    start_server: Any,  # noqa: F811 (the fixture, requested)
    tiny: Any,  # noqa: F811
) -> Served:
    """A real stack in accounts mode on the test's database, serving the tiny project (the
    database first: it is dropped after the server stops)."""
    return Served(start_server(accounts=True, database_url=database_url), users)
