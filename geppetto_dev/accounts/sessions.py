"""Logins that the server can end: a random token per login, its hash in the database.

Flask's session cookie is signed, not stored: on its own it stays valid until it expires, and
logging out could not end it. So the cookie carries a token made anew at every login (the
session id rotates: a token planted before the login is worth nothing after it), and the
database keeps its SHA-256 hash with an expiry. Logout, a password change or a removed account
deletes the row, and the cookie logs nobody in any more, on every server of the database.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select

from geppetto_dev.accounts.users import Account, account_of
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import LoginSessionRow, UserRow
from geppetto_dev.storage.servers import now_ms

__all__ = ["LoginSessions", "token_hash"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class LoginSessions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def open(self, user_id: int, lifetime_s: float) -> str:
        """A new login of `user_id`: the token for its cookie (and expired logins cleared)."""
        token = secrets.token_urlsafe(32)
        now = now_ms()
        with self.db.write() as session:
            session.execute(delete(LoginSessionRow).where(LoginSessionRow.expires_at < now))
            session.add(
                LoginSessionRow(
                    token_hash=token_hash(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + int(lifetime_s * 1000),
                )
            )
        return token

    def account(self, token: str) -> Account | None:
        """The account a token logs in, while its login lasts."""
        if not token or len(token) > 200:
            return None
        with self.db.read() as session:
            row = session.execute(
                select(UserRow)
                .join(LoginSessionRow, LoginSessionRow.user_id == UserRow.id)
                .where(
                    LoginSessionRow.token_hash == token_hash(token),
                    LoginSessionRow.expires_at > now_ms(),
                )
            ).scalar_one_or_none()
            return account_of(row) if row is not None else None

    def close(self, token: str) -> None:
        with self.db.write() as session:
            session.execute(
                delete(LoginSessionRow).where(LoginSessionRow.token_hash == token_hash(token))
            )
