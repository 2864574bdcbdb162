"""The key that signs session cookies and CSRF tokens: made once, kept in the database.

In the database rather than in code or a setting: it survives restarts and reloads (logins
last), every server of one database shares it (a load balancer may send a request anywhere),
and nobody has to make one. Several servers starting on a new database at once agree on the
first key written.
"""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError

from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import SecretRow

__all__ = ["SESSION_KEY", "stored_secret"]

SESSION_KEY = "flask-session-key"


def stored_secret(db: Database, name: str = SESSION_KEY) -> str:
    """The secret called `name`, made (64 hex digits) if there is none yet."""
    for _attempt in (1, 2):
        with db.read() as session:
            row = session.get(SecretRow, name)
            if row is not None:
                return row.value
        try:
            with db.write() as session:
                session.add(SecretRow(name=name, value=secrets.token_hex(32)))
        except IntegrityError:
            continue  # another server wrote it first: read theirs
    with db.read() as session:
        row = session.get(SecretRow, name)
        if row is None:  # pragma: no cover - written and gone within one call
            raise RuntimeError(f"could not store the secret {name}")
        return row.value
