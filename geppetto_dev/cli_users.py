"""`geppetto-dev users`: the accounts of accounts mode, declarations only (see cli.py).

Each command forwards to one function of `geppetto_dev.users`, imported inside it so that
`--help` stays fast.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from geppetto_dev.config import load_settings

__all__ = ["users_app"]

users_app = typer.Typer(
    name="users",
    help="The accounts of accounts mode (serve --accounts), in the project's database.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Role(str, Enum):
    """The roles of `users add --role`; the same as `geppetto_dev.accounts.roles.ROLES`."""

    viewer = "viewer"
    user = "user"
    admin = "admin"


UserName = Annotated[str, typer.Argument(metavar="NAME", help="The name users log in with.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from standard input instead of asking for it twice.",
    ),
]


ROLES_HELP = (
    "viewer: reads and downloads; user: also edits, runs and saves projects; "
    "admin: also changes every user's saved projects."
)


@users_app.command("add")
def users_add(
    name: UserName,
    role: Annotated[Role, typer.Option(metavar="viewer|user|admin", help=ROLES_HELP)] = Role.user,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user who may log in to a server running with --accounts."""
    from geppetto_dev.users import add_user

    settings = load_settings({})
    raise typer.Exit(add_user(settings, name, role=role.value, password_stdin=password_stdin))


@users_app.command("list")
def users_list() -> None:
    """List the users, their roles and saved projects."""
    from geppetto_dev.users import list_users

    raise typer.Exit(list_users(load_settings({})))


@users_app.command("remove")
def users_remove(name: UserName) -> None:
    """Remove a user: their logins end; their saved projects stay, owned by nobody."""
    from geppetto_dev.users import remove_user

    raise typer.Exit(remove_user(load_settings({}), name))


@users_app.command("role")
def users_role(
    name: UserName,
    role: Annotated[Role, typer.Argument(metavar="ROLE", help=ROLES_HELP)],
) -> None:
    """Give a user another role; their open pages get its privileges within seconds."""
    from geppetto_dev.users import change_role

    raise typer.Exit(change_role(load_settings({}), name, role.value))


@users_app.command("passwd")
def users_passwd(name: UserName, password_stdin: PasswordStdin = False) -> None:
    """Change a user's password; their logins end."""
    from geppetto_dev.users import change_password

    settings = load_settings({})
    raise typer.Exit(change_password(settings, name, password_stdin=password_stdin))
