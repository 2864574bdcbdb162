"""Accounts in the project's database: add, find, list, remove, change a password.

Names are what users type at the login page: 1 to 150 characters, no spaces or control
characters, compared exactly. Removing an account ends its logins; the projects it saved stay,
owned by nobody (admins still see and change them), and its runs keep its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from geppetto_dev.accounts.roles import privileges_of
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import LoginSessionRow, ProjectOwnerRow, RunRow, UserRow
from geppetto_dev.storage.servers import now_ms

__all__ = ["Account", "AccountStore", "account_of", "check_name"]

_NAME = re.compile(r"^[^\s\x00-\x1f\x7f]{1,150}$")


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    password_hash: str  # never logged, never sent
    created_at: int
    last_login: int | None = None

    @property
    def privileges(self) -> tuple[str, ...]:
        return privileges_of(self.role)

    def __repr__(self) -> str:  # keeps the hash out of any log that prints an account
        return f"Account(id={self.id}, name={self.name!r}, role={self.role!r})"


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise GeppettoDevError(
            f"{name!r} is not a user name",
            "use 1 to 150 characters without spaces, e.g. alice or a.smith@lab.org",
        )
    return name


def account_of(row: UserRow) -> Account:
    return Account(row.id, row.name, row.role, row.password_hash, row.created_at, row.last_login)


class AccountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, name: str, role: str, password_hash: str) -> Account:
        try:
            with self.db.write() as session:
                row = UserRow(
                    name=check_name(name),
                    role=role,
                    password_hash=password_hash,
                    created_at=now_ms(),
                )
                session.add(row)
                session.flush()
                return account_of(row)
        except IntegrityError:
            raise GeppettoDevError(
                f"user {name!r} exists already",
                f"change the password with 'geppetto-dev users passwd {name}', or remove the "
                "user first",
            ) from None

    def by_name(self, name: str) -> Account | None:
        with self.db.read() as session:
            row = session.scalars(select(UserRow).where(UserRow.name == name)).one_or_none()
            return account_of(row) if row is not None else None

    def by_id(self, user_id: int) -> Account | None:
        with self.db.read() as session:
            row = session.get(UserRow, user_id)
            return account_of(row) if row is not None else None

    def all(self) -> list[Account]:
        with self.db.read() as session:
            return [account_of(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]

    def count(self) -> int:
        with self.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)

    def projects_of(self, user_id: int) -> int:
        """How many saved projects the account owns."""
        with self.db.read() as session:
            query = select(func.count()).where(ProjectOwnerRow.owner_id == user_id)
            return int(session.scalar(query) or 0)

    def remove(self, name: str) -> Account | None:
        with self.db.write() as session:
            row = session.scalars(
                select(UserRow).where(UserRow.name == name).with_for_update()
            ).one_or_none()
            if row is None:
                return None
            removed = account_of(row)
            # What the database's ON DELETE would do; said here too for a database without it.
            session.execute(delete(LoginSessionRow).where(LoginSessionRow.user_id == row.id))
            session.execute(
                update(ProjectOwnerRow)
                .where(ProjectOwnerRow.owner_id == row.id)
                .values(owner_id=None)
            )
            session.execute(update(RunRow).where(RunRow.user_id == row.id).values(user_id=None))
            session.execute(delete(UserRow).where(UserRow.id == row.id))
            return removed

    def set_password(self, name: str, password_hash: str) -> Account | None:
        """Change the hash and end every login of the account."""
        with self.db.write() as session:
            row = session.scalars(
                select(UserRow).where(UserRow.name == name).with_for_update()
            ).one_or_none()
            if row is None:
                return None
            row.password_hash = password_hash
            session.execute(delete(LoginSessionRow).where(LoginSessionRow.user_id == row.id))
            return account_of(row)

    def set_role(self, name: str, role: str) -> Account | None:
        """Give the account another role; its logins last (open connections follow within
        `login-recheck` seconds)."""
        with self.db.write() as session:
            row = session.scalars(
                select(UserRow).where(UserRow.name == name).with_for_update()
            ).one_or_none()
            if row is None:
                return None
            row.role = role
            return account_of(row)

    def logged_in(self, user_id: int) -> None:
        with self.db.write() as session:
            row = session.get(UserRow, user_id)
            if row is not None:
                row.last_login = now_ms()
