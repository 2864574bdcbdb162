"""Message types and the payload shapes the Geppetto 0.3.8 client expects for them."""

from __future__ import annotations

import json
import traceback
from collections.abc import Sequence
from typing import Any

__all__ = [
    "CLIENT_ID",
    "GENERIC_ERROR",
    "GEPPETTO_VERSION",
    "INFO_MESSAGE",
    "USER_PRIVILEGES",
    "client_id",
    "generic_error",
    "geppetto_version",
    "info_message",
    "user_privileges",
]

# Server -> client.
CLIENT_ID = "client_id"
USER_PRIVILEGES = "user_privileges"
GEPPETTO_VERSION = "geppetto_version"
GENERIC_ERROR = "generic_error"
INFO_MESSAGE = "info_message"


def client_id(connection_id: str) -> dict[str, Any]:
    return {"clientID": connection_id}


def user_privileges(
    user_name: str,
    privileges: Sequence[str],
    *,
    logged_in: bool = True,
    has_persistence: bool = True,
) -> dict[str, Any]:
    """Double-encoded, as the client parses the inner value again.

    `hasPersistence` is true because the server keeps every project's experiments (the
    experiment store): the 0.3.8 client enables its Run button and the experiment editing only
    when it is set and the project was loaded with `persisted: true`.
    """
    inner = {
        "userName": user_name,
        "loggedIn": logged_in,
        "hasPersistence": has_persistence,
        "privileges": list(privileges),
    }
    return {USER_PRIVILEGES: json.dumps(inner)}


def geppetto_version(version: str) -> dict[str, Any]:
    return {GEPPETTO_VERSION: version}


def generic_error(
    error_code: str,
    message: str,
    *,
    exception: BaseException | None = None,
    show_traceback: bool = False,
    error_id: str | None = None,
) -> dict[str, Any]:
    """The Java server's shape, the one the client's error dialog reads (`message` parsed again)."""
    detail = ""
    if exception is not None:
        detail = (
            "".join(traceback.format_exception(exception))
            if show_traceback
            else f"{type(exception).__name__}"
        )
    inner = {"error_code": error_code, "message": message, "exception": detail, "id": error_id}
    return {"message": json.dumps(inner)}


def info_message(message: Any) -> dict[str, Any]:
    return {"message": json.dumps(message)}
