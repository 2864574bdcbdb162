"""Who a connection acts for: a name, Geppetto's privileges, and whether projects have owners.

Single-user mode (the default) has one user, named and privileged by the settings, who owns
every project. In accounts mode each connection acts for the account its session cookie names,
or for a logged-out visitor who may only read public projects; a project a user saved is
theirs (and an admin's) to change. The default handlers see nothing but this `Viewer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ADMIN",
    "DOWNLOAD",
    "DROPBOX_INTEGRATION",
    "PRIVILEGES",
    "READ_PROJECT",
    "RUN_EXPERIMENT",
    "VIEWER_KEY",
    "WRITE_PROJECT",
    "Viewer",
    "viewer_of",
]

# Geppetto's privileges (org.geppetto.core.data.model.UserPrivileges), as the clients name them.
READ_PROJECT = "READ_PROJECT"
WRITE_PROJECT = "WRITE_PROJECT"
RUN_EXPERIMENT = "RUN_EXPERIMENT"
DOWNLOAD = "DOWNLOAD"
DROPBOX_INTEGRATION = "DROPBOX_INTEGRATION"
ADMIN = "ADMIN"
PRIVILEGES = (READ_PROJECT, WRITE_PROJECT, RUN_EXPERIMENT, DOWNLOAD, DROPBOX_INTEGRATION, ADMIN)

# Where a connection keeps its Viewer (`conn.state`), set when the connection opens.
VIEWER_KEY = "geppetto_dev.viewer"


@dataclass(frozen=True)
class Viewer:
    name: str
    privileges: tuple[str, ...] = ()
    # The account's id in accounts mode; None for the single user and for logged-out visitors.
    user_id: int | None = None
    logged_in: bool = True
    # Whether projects have owners (accounts mode); without, every project is this user's.
    accounts: bool = False
    # Where the connection comes from, for the log of what was refused.
    address: str | None = None
    # The account's role (accounts mode), as /currentuser names its group.
    role: str | None = None

    def can(self, privilege: str) -> bool:
        return privilege in self.privileges

    @property
    def admin(self) -> bool:
        return ADMIN in self.privileges

    def owns(self, owner_id: int | None) -> bool:
        """Whether a project saved by `owner_id` is this viewer's to change."""
        if not self.accounts or self.admin:
            return True
        return self.user_id is not None and owner_id == self.user_id

    def describe(self) -> str:
        """The viewer as the log names it: `alice (192.0.2.7)`."""
        return f"{self.name} ({self.address})" if self.address else self.name


def viewer_of(conn: Any) -> Viewer:
    """The connection's viewer: the one it was opened with, else the protocol's single user."""
    found = conn.state.get(VIEWER_KEY)
    if isinstance(found, Viewer):
        return found
    protocol = conn.protocol
    return Viewer(protocol.user_name, tuple(protocol.privileges))
