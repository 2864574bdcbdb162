"""Roles: what `users add --role` names, each a set of Geppetto's privileges.

Java kept privileges on user groups; three roles cover what a lab server needs. A visitor who
has not logged in may read public projects, nothing more. As in single-user mode's defaults,
no role has DROPBOX_INTEGRATION: it only makes the client offer Dropbox, which needs an upload
store the application is given.
"""

from __future__ import annotations

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.projects.viewer import (
    ADMIN,
    DOWNLOAD,
    READ_PROJECT,
    RUN_EXPERIMENT,
    WRITE_PROJECT,
)

__all__ = ["DEFAULT_ROLE", "GUEST_PRIVILEGES", "ROLES", "check_role", "privileges_of"]

_MEMBER = (READ_PROJECT, WRITE_PROJECT, DOWNLOAD, RUN_EXPERIMENT)

ROLES: dict[str, tuple[str, ...]] = {
    # Looks, plays and downloads; changes and runs nothing.
    "viewer": (READ_PROJECT, DOWNLOAD),
    # Edits, runs and saves projects; changes only their own saved ones.
    "user": _MEMBER,
    # A user who may also change, share and run every saved project, whoever saved it.
    "admin": (*_MEMBER, ADMIN),
}
DEFAULT_ROLE = "user"
GUEST_PRIVILEGES = (READ_PROJECT,)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise GeppettoDevError(
            f"unknown role {role!r}", f"use one of {', '.join(ROLES)} (default: {DEFAULT_ROLE})"
        )
    return role


def privileges_of(role: str) -> tuple[str, ...]:
    """A role's privileges; a role this version does not know (a newer one's) gets none."""
    return ROLES.get(role, ())
