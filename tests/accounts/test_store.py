"""Accounts, logins, failed logins and the cookie key in a real database (SQLite and
PostgreSQL): what the login pages and `geppetto-dev users` stand on."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

from geppetto_dev.accounts import Account, Accounts, AccountStore
from geppetto_dev.accounts.passwords import hash_password, verify
from geppetto_dev.accounts.secret import stored_secret
from geppetto_dev.accounts.sessions import LoginSessions, token_hash
from geppetto_dev.accounts.throttle import LoginThrottle
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.storage import database
from geppetto_dev.storage.db import Database
from tests.accounts.conftest import PASSWORDS


def test_a_password_is_stored_as_a_werkzeug_hash(
    database_url: str, users: dict[str, Account]
) -> None:
    stored = AccountStore(database(database_url)).by_name("alice")
    assert stored is not None and stored.role == "user"
    assert stored.password_hash.startswith("scrypt:")
    assert PASSWORDS["alice"] not in stored.password_hash
    assert check_password_hash(stored.password_hash, PASSWORDS["alice"])
    assert not verify(stored.password_hash, PASSWORDS["bob"])
    assert "scrypt" not in repr(stored)  # an account printed in a log shows no hash


def test_names_are_unique_and_checked(database_url: str, users: dict[str, Account]) -> None:
    store = AccountStore(database(database_url))
    with pytest.raises(GeppettoDevError, match="exists already"):
        store.add("alice", "user", hash_password("another-one"))
    for bad in ("", "two words", "tab\there", "x" * 151):
        with pytest.raises(GeppettoDevError, match="is not a user name"):
            store.add(bad, "user", hash_password("whatever-1"))
    assert [a.name for a in store.all()] == ["alice", "bob", "root"]


def test_a_new_password_or_a_removal_ends_every_login(
    database_url: str, users: dict[str, Account]
) -> None:
    db = database(database_url)
    store, sessions = AccountStore(db), LoginSessions(db)
    first, second = (sessions.open(users["alice"].id, 60) for _ in range(2))
    bobs = sessions.open(users["bob"].id, 60)
    assert sessions.account(first) == sessions.account(second) == store.by_name("alice")
    store.set_password("alice", hash_password("a-new-secret"))
    assert sessions.account(first) is None and sessions.account(second) is None
    assert sessions.account(bobs) is not None  # another user's logins stay
    store.remove("bob")
    assert sessions.account(bobs) is None and store.by_name("bob") is None


def test_a_login_token_is_kept_only_as_a_hash_and_expires(
    database_url: str, users: dict[str, Account]
) -> None:
    db = database(database_url)
    sessions = LoginSessions(db)
    token = sessions.open(users["alice"].id, 60)
    from sqlalchemy import select

    from geppetto_dev.storage.schema import LoginSessionRow

    with db.read() as session:
        stored = list(session.scalars(select(LoginSessionRow.token_hash)))
    assert stored == [token_hash(token)] and token not in stored
    expired = sessions.open(users["alice"].id, -1)
    assert sessions.account(expired) is None
    sessions.close(token)
    assert sessions.account(token) is None


def test_failed_logins_are_counted_per_name_and_per_address(database_url: str) -> None:
    throttle = LoginThrottle(database(database_url), per_user=3, per_address=5, window_s=60)
    for _ in range(3):
        assert throttle.check("alice", "192.0.2.1") is None
        throttle.failed("alice", "192.0.2.1")
    waited = throttle.check("alice", "192.0.2.2")  # another address: the name is throttled
    assert waited is not None and waited.what == "user" and 1 <= waited.retry_after_s <= 61
    throttle.failed("bob", "192.0.2.1")
    throttle.failed("carol", "192.0.2.1")
    refused = throttle.check("dave", "192.0.2.1")  # a new name from that address
    assert refused is not None and refused.what == "address"
    assert throttle.check("dave", "192.0.2.9") is None
    throttle.succeeded("alice")  # clears the name, not the address
    assert throttle.check("alice", "192.0.2.2") is None
    assert throttle.check("alice", "192.0.2.1") is not None


def test_the_cookie_key_is_made_once_and_shared(database_url: str) -> None:
    first = stored_secret(database(database_url))
    assert len(first) == 64
    # Another process's engine on the same database (a restart, a second server).
    other = Database(database_url)
    try:
        assert stored_secret(other) == first
        assert Accounts(other).secret_key() == first
    finally:
        other.dispose()


def test_a_login_is_throttled_before_its_password_is_checked(
    database_url: str, users: dict[str, Account]
) -> None:
    accounts = Accounts(
        database(database_url), throttle=LoginThrottle(database(database_url), per_user=2)
    )
    assert accounts.log_in("alice", "wrong-1", "192.0.2.1").account is None
    assert accounts.log_in("alice", "wrong-2", "192.0.2.1").account is None
    result = accounts.log_in("alice", PASSWORDS["alice"], "192.0.2.1")
    assert result.account is None and result.throttled is not None
    ok = accounts.log_in("bob", PASSWORDS["bob"], "192.0.2.1")
    assert ok.account is not None and ok.token
    assert accounts.account(ok.token).id == ok.account.id  # type: ignore[union-attr]
