"""Slowing password guessing: failed logins counted per user name and per address.

Past `per_user` failures for one name, or `per_address` from one address, within `window_s`
seconds, logins for that name (or from that address) are refused without looking at the
password until the oldest failure leaves the window. The counts live in the database, so
every server of the database and every restart sees the same ones. A successful login clears
its name's count (not its address's: one good account must not reset guessing at others).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import LoginFailureRow
from geppetto_dev.storage.servers import now_ms

__all__ = ["LoginThrottle", "Throttled"]

# A key is at most this long in the table; a longer name is cut (it matches no account anyway).
_KEY_LENGTH = 300


@dataclass(frozen=True)
class Throttled:
    """Logins for `what` wait `retry_after_s` seconds."""

    what: str  # "user" or "address"
    retry_after_s: int


def _user(name: str) -> str:
    return f"user:{name}"[:_KEY_LENGTH]


def _address(address: str) -> str:
    return f"address:{address}"[:_KEY_LENGTH]


class LoginThrottle:
    def __init__(
        self, db: Database, *, per_user: int = 5, per_address: int = 20, window_s: int = 900
    ) -> None:
        self.db = db
        self.per_user = per_user
        self.per_address = per_address
        self.window_s = window_s

    def check(self, name: str, address: str) -> Throttled | None:
        """Whether a login for `name` from `address` must wait, before its password is read."""
        since = now_ms() - self.window_s * 1000
        for what, key, limit in (
            ("user", _user(name), self.per_user),
            ("address", _address(address), self.per_address),
        ):
            with self.db.read() as session:
                count, oldest = session.execute(
                    select(func.count(), func.min(LoginFailureRow.at)).where(
                        LoginFailureRow.key == key, LoginFailureRow.at > since
                    )
                ).one()
            if count >= limit:
                wait = (int(oldest) - since) / 1000 if oldest is not None else self.window_s
                return Throttled(what, max(1, int(wait) + 1))
        return None

    def failed(self, name: str, address: str) -> None:
        now = now_ms()
        with self.db.write() as session:
            session.execute(
                delete(LoginFailureRow).where(LoginFailureRow.at <= now - self.window_s * 1000)
            )
            session.add_all(
                [
                    LoginFailureRow(key=_user(name), at=now),
                    LoginFailureRow(key=_address(address), at=now),
                ]
            )

    def succeeded(self, name: str) -> None:
        with self.db.write() as session:
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == _user(name)))
