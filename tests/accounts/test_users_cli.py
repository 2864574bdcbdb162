"""`geppetto-dev users` as real processes on a project's database: what a lab admin types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geppetto_dev.accounts import AccountStore
from geppetto_dev.accounts.sessions import LoginSessions
from geppetto_dev.storage import database
from tests.support import checkout_env


def users(project: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geppetto_dev", "users", *args],
        cwd=project,
        env={**checkout_env(), "GEPPETTO_DEV_ACCOUNTS": "true"},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ")
    return line


def test_add_list_passwd_remove(tmp_path: Path) -> None:
    added = users(tmp_path, "add", "alice", "--password-stdin", stdin="first-secret\n")
    assert added.returncode == 0, added.stderr
    assert (
        "added user 'alice', role user (READ_PROJECT, WRITE_PROJECT, DOWNLOAD, RUN_EXPERIMENT)"
        in added.stdout
    )
    assert "geppetto-dev.sqlite3" in added.stdout and "first-secret" not in added.stdout
    admin = users(tmp_path, "add", "root", "--role", "admin", "--password-stdin", stdin="x" * 9)
    assert admin.returncode == 0 and "ADMIN" in admin.stdout
    listed = users(tmp_path, "list").stdout.splitlines()
    assert listed[0].split() == ["NAME", "ROLE", "PROJECTS", "LAST", "LOGIN"]
    assert [line.split()[:3] for line in listed[1:]] == [
        ["alice", "user", "0"],
        ["root", "admin", "0"],
    ]

    db = database(f"sqlite:///{tmp_path / 'data' / 'geppetto-dev.sqlite3'}")
    store = AccountStore(db)
    alice = store.by_name("alice")
    assert alice is not None
    login = LoginSessions(db).open(alice.id, 60)
    changed = users(tmp_path, "passwd", "alice", "--password-stdin", stdin="second-secret\r\n")
    assert changed.returncode == 0 and "their logins ended" in changed.stdout
    assert LoginSessions(db).account(login) is None
    from geppetto_dev.accounts.passwords import verify

    renewed = store.by_name("alice")
    assert renewed is not None and verify(renewed.password_hash, "second-secret")

    demoted = users(tmp_path, "role", "alice", "viewer")
    assert demoted.returncode == 0, demoted.stderr
    assert "'alice' is now viewer (READ_PROJECT, DOWNLOAD), was user" in demoted.stdout
    assert users(tmp_path, "list").stdout.splitlines()[1].split()[:2] == ["alice", "viewer"]

    removed = users(tmp_path, "remove", "alice")
    assert removed.returncode == 0 and "removed user 'alice'" in removed.stdout
    assert [a.name for a in store.all()] == ["root"]


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("add", "bob", "--password-stdin"), "short\n", "the password is too short"),
        (
            ("add", "bob"),
            "",
            "no terminal to ask for the password; pipe it in with --password-stdin",
        ),
        (
            ("add", "two words", "--password-stdin"),
            "long-enough\n",
            "'two words' is not a user name",
        ),
        (
            ("remove", "nobody"),
            None,
            "no user 'nobody'; see the users with 'geppetto-dev users list'",
        ),
        (("passwd", "nobody", "--password-stdin"), "long-enough\n", "no user 'nobody'"),
        (("role", "nobody", "admin"), None, "no user 'nobody'"),
        (("role", "nobody", "boss"), None, "'boss' is not one of 'viewer', 'user', 'admin'"),
    ],
)
def test_mistakes_are_one_line(
    tmp_path: Path, args: tuple[str, ...], stdin: str | None, expected: str
) -> None:
    assert expected in one_error_line(users(tmp_path, *args, stdin=stdin))


def test_adding_a_name_twice_asks_for_no_password(tmp_path: Path) -> None:
    users(tmp_path, "add", "alice", "--password-stdin", stdin="first-secret\n")
    line = one_error_line(users(tmp_path, "add", "alice"))  # no stdin: it would fail otherwise
    assert "user 'alice' exists already" in line and "users passwd alice" in line


def test_a_bad_name_is_refused_before_a_password_is_asked_for(tmp_path: Path) -> None:
    line = one_error_line(users(tmp_path, "add", "bad name"))  # no stdin: it would fail otherwise
    assert "'bad name' is not a user name" in line


def test_the_users_of_another_database_url(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.geppetto-dev]\ndatabase-url = "sqlite:///lab.sqlite3"\n'
    )
    done = users(tmp_path, "add", "alice", "--password-stdin", stdin="first-secret\n")
    assert done.returncode == 0 and "sqlite:///lab.sqlite3" in done.stdout
    assert (tmp_path / "lab.sqlite3").is_file()
    assert not (tmp_path / "data").exists()
