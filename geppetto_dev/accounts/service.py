"""The accounts of a running application: logging in and out, who a login is, what they see.

Made when the application starts in accounts mode (on its database) and reached by the login
pages and the WebSocket alike. What it logs names accounts and addresses, never a password or
a hash, and not the name typed for a failed login that matches no account (it is often a
password typed in the wrong field).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from geppetto_dev.accounts.passwords import verify, verify_nobody
from geppetto_dev.accounts.roles import GUEST_PRIVILEGES
from geppetto_dev.accounts.secret import stored_secret
from geppetto_dev.accounts.sessions import LoginSessions
from geppetto_dev.accounts.throttle import LoginThrottle, Throttled
from geppetto_dev.accounts.users import Account, AccountStore
from geppetto_dev.projects.viewer import Viewer
from geppetto_dev.storage.db import Database

__all__ = ["GUEST_NAME", "LOGIN_LIFETIME", "Accounts", "LoginResult", "viewer_of_account"]

log = logging.getLogger("geppetto_dev.accounts")

GUEST_NAME = "Guest"
# How long a login lasts (the session cookie's lifetime too).
LOGIN_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class LoginResult:
    account: Account | None = None
    token: str | None = None  # for the session cookie, when the login succeeded
    throttled: Throttled | None = None


class Accounts:
    def __init__(self, db: Database, *, throttle: LoginThrottle | None = None) -> None:
        self.db = db
        self.users = AccountStore(db)
        self.sessions = LoginSessions(db)
        self.throttle = throttle or LoginThrottle(db)
        self._secret: str | None = None
        self._lock = threading.Lock()

    def log_in(self, name: str, password: str, address: str) -> LoginResult:
        throttled = self.throttle.check(name, address)
        if throttled is not None:
            log.warning(
                "refused a login from %s: too many failed logins for this %s; retry in %d s",
                address,
                "user name" if throttled.what == "user" else "address",
                throttled.retry_after_s,
            )
            return LoginResult(throttled=throttled)
        account = self.users.by_name(name)
        if account is None or not verify(account.password_hash, password):
            if account is None:
                verify_nobody(password)  # as slow as a real check: names stay secret
            self.throttle.failed(name, address)
            who = repr(account.name) if account is not None else "an unknown user name"
            log.warning("failed login for %s from %s", who, address)
            return LoginResult()
        self.throttle.succeeded(name)
        self.users.logged_in(account.id)
        token = self.sessions.open(account.id, LOGIN_LIFETIME.total_seconds())
        log.info("%s logged in from %s", account.name, address)
        return LoginResult(account=account, token=token)

    def log_out(self, token: str, address: str) -> None:
        account = self.sessions.account(token)
        self.sessions.close(token)
        if account is not None:
            log.info("%s logged out from %s", account.name, address)

    def account(self, token: str) -> Account | None:
        """The account a login token stands for, while the login lasts."""
        return self.sessions.account(token)

    def secret_key(self) -> str:
        with self._lock:
            if self._secret is None:
                self._secret = stored_secret(self.db)
            return self._secret

    def describe(self) -> str:
        count = self.users.count()
        if count == 0:
            return (
                "Access: accounts, but no users yet: add one with "
                "'geppetto-dev users add NAME' (logged out, everyone reads public projects)"
            )
        return (
            f"Access: accounts ({count} user{'s' if count != 1 else ''}); log in at /login "
            "(logged out: public projects, read-only)"
        )


def viewer_of_account(account: Account | None, address: str | None = None) -> Viewer:
    """Who a connection acts for in accounts mode: the account, or a logged-out guest."""
    if account is None:
        return Viewer(GUEST_NAME, GUEST_PRIVILEGES, logged_in=False, accounts=True, address=address)
    return Viewer(
        account.name,
        account.privileges,
        user_id=account.id,
        accounts=True,
        address=address,
        role=account.role,
    )
