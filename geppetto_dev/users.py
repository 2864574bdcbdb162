"""`geppetto-dev users`: the accounts of accounts mode, in the project's database.

One function per command; each opens the database the settings name (`database-url`, else the
SQLite file in `data/`), the same one `serve` uses. Passwords are read from the terminal (asked
twice) or, with `--password-stdin`, from standard input; they are hashed at once and never
printed.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from geppetto_dev.accounts import AccountStore
from geppetto_dev.accounts.passwords import check_new, hash_password
from geppetto_dev.accounts.roles import check_role, privileges_of
from geppetto_dev.accounts.users import check_name
from geppetto_dev.config import TOOL_TABLE, Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.storage import database, describe_url

__all__ = [
    "add_user",
    "change_password",
    "change_role",
    "list_users",
    "read_password",
    "remove_user",
]

STDIN_EXAMPLE = "printf '%s' \"$PASSWORD\" | geppetto-dev users add NAME --password-stdin"


def _store(settings: Settings) -> AccountStore:
    return AccountStore(database(settings.database))


def read_password(
    *,
    password_stdin: bool,
    stdin: TextIO | None = None,
    ask: Callable[[str], str] = getpass.getpass,
) -> str:
    """The new password: all of standard input (one trailing newline dropped), or asked twice
    on the terminal."""
    stream = stdin if stdin is not None else sys.stdin
    if password_stdin:
        text = stream.read()
        if text.endswith("\n"):
            text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
        return check_new(text)
    if not stream.isatty():
        raise GeppettoDevError(
            "no terminal to ask for the password",
            f"pipe it in with --password-stdin: {STDIN_EXAMPLE}",
        )
    first = check_new(ask("Password: "))
    if ask("Password again: ") != first:
        raise GeppettoDevError("the two passwords differ", "run the command again")
    return first


def _mode_hint(settings: Settings) -> None:
    if not settings.accounts:
        print(
            f"hint: users log in once the server runs with accounts: serve --accounts, or "
            f"accounts = true in [tool.{TOOL_TABLE}]"
        )


def add_user(
    settings: Settings, name: str, *, role: str, password_stdin: bool, stdin: TextIO | None = None
) -> int:
    check_role(role)
    check_name(name)  # a mistake is told before a password is asked for
    store = _store(settings)
    if store.by_name(name) is not None:
        raise GeppettoDevError(
            f"user {name!r} exists already",
            f"change the password with 'geppetto-dev users passwd {name}'",
        )
    password = read_password(password_stdin=password_stdin, stdin=stdin)
    account = store.add(name, role, hash_password(password))
    privileges = ", ".join(privileges_of(role))
    print(f"added user {account.name!r}, role {role} ({privileges})")
    print(f"  in {describe_url(settings.database)}")
    _mode_hint(settings)
    return 0


def list_users(settings: Settings) -> int:
    store = _store(settings)
    accounts = store.all()
    if not accounts:
        where = describe_url(settings.database)
        print(f"no users in {where}: add one with 'geppetto-dev users add NAME'")
        return 0
    rows = [("NAME", "ROLE", "PROJECTS", "LAST LOGIN")]
    for account in accounts:
        last = (
            datetime.fromtimestamp(account.last_login / 1000).strftime("%Y-%m-%d %H:%M")
            if account.last_login
            else "never"
        )
        rows.append((account.name, account.role, str(store.projects_of(account.id)), last))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def remove_user(settings: Settings, name: str) -> int:
    store = _store(settings)
    account = store.by_name(name)
    if account is None:
        raise GeppettoDevError(f"no user {name!r}", "see the users with 'geppetto-dev users list'")
    projects = store.projects_of(account.id)
    store.remove(name)
    kept = (
        f"; their {projects} saved project(s) stay, owned by nobody (admins may change them)"
        if projects
        else ""
    )
    print(f"removed user {name!r}; their logins ended{kept}")
    return 0


def change_password(
    settings: Settings, name: str, *, password_stdin: bool, stdin: TextIO | None = None
) -> int:
    store = _store(settings)
    if store.by_name(name) is None:
        raise GeppettoDevError(f"no user {name!r}", "see the users with 'geppetto-dev users list'")
    password = read_password(password_stdin=password_stdin, stdin=stdin)
    store.set_password(name, hash_password(password))
    print(f"changed the password of {name!r}; their logins ended")
    return 0


def change_role(settings: Settings, name: str, role: str) -> int:
    check_role(role)
    store = _store(settings)
    account = store.by_name(name)
    if account is None:
        raise GeppettoDevError(f"no user {name!r}", "see the users with 'geppetto-dev users list'")
    if account.role == role:
        print(f"{name!r} has the role {role} already")
        return 0
    store.set_role(name, role)
    privileges = ", ".join(privileges_of(role))
    print(f"{name!r} is now {role} ({privileges}), was {account.role}")
    print("  pages already open get the new privileges within seconds")
    return 0
