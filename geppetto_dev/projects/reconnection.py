"""What a dropped connection leaves for its client's `reconnect`: the projects it had loaded.

geppetto-meta's client reconnects by itself after an abnormal close (every 5 s, ten times) and
sends `reconnect` `{connectionID: its old client id, projectId}` on the new socket, keeping the
page it has. jupyter-geppetto restores the old connection's state then, and so does this: a
closed connection's projects wait here for GRACE seconds, and a `reconnect` naming its id, from
the same user, takes them over. The page's Run, status polls and results then work on the new
socket as they did on the old one, with no reload.

The client id is a random 128-bit value only that client was told, and the user must match: a
guest cannot take over a logged-in user's projects. At most LIMIT connections are kept (the
oldest go first); what is kept is the connection's view of each model, not the model.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from geppetto_dev.projects.connection import STATE_KEY, ConnectionState
from geppetto_dev.projects.viewer import viewer_of

__all__ = ["GRACE", "LIMIT", "LostConnections", "keep_on_close", "restore"]

# The meta client tries for about 50 s (ten attempts, 5 s apart).
GRACE = 60.0
LIMIT = 64

_KEPT_FLAG = "geppetto_dev.reconnection"

Owner = tuple[int | None, str, bool]


@dataclass
class _Kept:
    state: ConnectionState
    owner: Owner
    until: float


class LostConnections:
    """Closed connections' project states by client id, for GRACE seconds, LIMIT at most."""

    def __init__(
        self, grace: float = GRACE, limit: int = LIMIT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.grace = grace
        self.limit = limit
        self._clock = clock
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()  # handlers take from worker threads

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._kept)

    def keep(self, client_id: str, state: ConnectionState, owner: Owner) -> None:
        with self._lock:
            self._expire()
            self._kept[client_id] = _Kept(state, owner, self._clock() + self.grace)
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)

    def take(self, client_id: str, owner: Owner) -> ConnectionState | None:
        """The state a connection left, once, if it is still kept and `owner` left it."""
        with self._lock:
            self._expire()
            kept = self._kept.get(client_id)
            if kept is None or kept.owner != owner:
                return None
            del self._kept[client_id]
            return kept.state

    def _expire(self) -> None:
        now = self._clock()
        while self._kept:
            oldest = next(iter(self._kept.values()))
            if oldest.until > now:
                return
            self._kept.popitem(last=False)


def owner_of(conn: Any) -> Owner:
    viewer = viewer_of(conn)
    return (viewer.user_id, viewer.name, viewer.logged_in)


def keep_on_close(conn: Any, lost: LostConnections) -> None:
    """Once the connection has projects: when it closes, they wait in `lost` for a reconnect."""
    if conn.state.get(_KEPT_FLAG):
        return
    conn.state[_KEPT_FLAG] = True

    def closed() -> None:
        state = conn.state.get(STATE_KEY)
        if isinstance(state, ConnectionState) and state.projects:
            # Who it acts for now: a login that ended meanwhile made it a guest's.
            lost.keep(conn.client_id, state, owner_of(conn))

    conn.on_close(closed)


def restore(conn: Any, lost: LostConnections, client_id: str) -> ConnectionState | None:
    """The projects the connection `client_id` left, now this connection's (None: nothing)."""
    state = lost.take(client_id, owner_of(conn))
    if state is None:
        return None
    conn.state[STATE_KEY] = state
    keep_on_close(conn, lost)
    return state
