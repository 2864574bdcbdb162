"""Requests about the connection itself, answered as Java answered them: `user_privileges`
(the privileges the server sent on connect), and the three Java took without replying:
`notify_user`, `get_watch`, `clear_watch` (a reply would be a dialog the user never asked
for)."""

from __future__ import annotations

from typing import Any

from geppetto_dev.protocol import messages
from geppetto_dev.protocol.registry import Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = ["SILENT", "clear_watch", "get_watch", "notify_user", "user_privileges"]

# Types Java accepted and never answered.
SILENT = ("notify_user", "get_watch", "clear_watch")


@handler("user_privileges")
def user_privileges(conn: Session, data: Any) -> Reply:
    """`user_privileges`, as sent on connect."""
    protocol = conn.protocol
    return Reply(
        messages.USER_PRIVILEGES,
        messages.user_privileges(
            protocol.user_name, protocol.privileges, logged_in=protocol.logged_in
        ),
    )


@handler("notify_user")
def notify_user(conn: Session, data: Any) -> None:
    """Nothing, as in Java (it had no case for it)."""


@handler("get_watch")
def get_watch(conn: Session, data: Any) -> None:
    """Nothing, as in Java (it had no case for it)."""


@handler("clear_watch")
def clear_watch(conn: Session, data: Any) -> None:
    """Nothing (Java failed on it without replying: its constant was CLEAR_WATCHED_VARIABLES)."""
