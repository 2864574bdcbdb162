"""Which server processes are alive, so runs of a stopped one are marked ERROR.

Runs belong to the server process whose executor holds them (`owner`), and each server keeps
a heartbeat row. A run whose owner stopped (a restart, a crash, SIGKILL) can never finish, so
`recover()` marks it ERROR: at start for this machine's dead processes at once, and for other
machines' servers once their heartbeat is older than `stale_after` seconds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from geppetto_dev.projects.records import ERROR, QUEUED, RUNNING
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import ExperimentRow, ServerRow

__all__ = ["IN_FLIGHT", "ServerLiveness", "now_ms"]

log = logging.getLogger("geppetto_dev.storage")

IN_FLIGHT = (QUEUED, RUNNING)
_HEARTBEAT_S = 5.0


def now_ms() -> int:
    return int(time.time() * 1000)


class ServerLiveness:
    """This server's row and heartbeat, and the recovery of runs whose server is gone."""

    def __init__(
        self, db: Database, *, server_id: str | None = None, stale_after: float = 30.0
    ) -> None:
        self.db = db
        self.server_id = server_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stale_after = stale_after
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def start(self) -> int:
        """Register this server, mark runs of stopped servers ERROR, keep a heartbeat.
        Returns how many runs were marked."""
        self._register()
        recovered = self.recover()
        self._heartbeat = threading.Thread(target=self._beat, name="db-heartbeat", daemon=True)
        self._heartbeat.start()
        return recovered

    def warm(self) -> None:
        """Run the statements a starting server runs (register, recover, unregister), without
        its heartbeat thread: their compiled forms stay cached on the engine, which the reload
        fork server hands to every server it forks."""
        self._register()
        self.recover()
        self.stop()

    def _register(self) -> None:
        now = now_ms()
        with self.db.write() as session:
            session.merge(
                ServerRow(
                    id=self.server_id,
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    started_at=now,
                    heartbeat=now,
                )
            )

    def _beat(self) -> None:
        while not self._stop.wait(_HEARTBEAT_S):
            try:
                with self.db.write() as session:
                    row = session.get(ServerRow, self.server_id)
                    if row is not None:
                        row.heartbeat = now_ms()
                count = self.recover()
                if count:
                    log.warning("%d experiment run(s) of stopped servers marked ERROR", count)
            except Exception as exc:  # a database restart: try again at the next beat
                log.warning("database heartbeat failed: %s", exc)

    def stop(self, reason: str = "the server stopped while it ran") -> int:
        """This server's runs in flight cannot finish any more: ERROR, then unregister."""
        self._stop.set()
        with self.db.write() as session:
            count = self._fail(session, [self.server_id], reason)
            session.execute(delete(ServerRow).where(ServerRow.id == self.server_id))
        return count

    def recover(self) -> int:
        """Mark ERROR the runs whose server is gone; returns how many."""
        host = socket.gethostname()
        stale = now_ms() - int(self.stale_after * 1000)
        with self.db.read() as session:  # the common case, nothing in flight: no write lock
            if (
                session.scalar(
                    select(ExperimentRow.id).where(ExperimentRow.status.in_(IN_FLIGHT)).limit(1)
                )
                is None
            ):
                return 0
        with self.db.write() as session:
            owners = set(
                session.scalars(
                    select(ExperimentRow.owner).where(ExperimentRow.status.in_(IN_FLIGHT))
                )
            )
            if not owners:
                return 0
            servers = {
                s.id: s
                for s in session.scalars(select(ServerRow).where(ServerRow.id.in_(owners - {None})))
            }
            dead = []
            for owner in owners:
                server = servers.get(owner) if owner else None
                if owner == self.server_id:
                    continue
                if (
                    server is None
                    or server.heartbeat < stale
                    or (server.host == host and not _alive(server.pid))
                ):
                    dead.append(owner)
            count = self._fail(session, dead, "the server running it stopped (restart or crash)")
            if dead:
                session.execute(delete(ServerRow).where(ServerRow.id.in_(dead)))
        return count

    def _fail(self, session: Session, owners: list[str | None], reason: str) -> int:
        if not owners:
            return 0
        condition: ColumnElement[bool] = ExperimentRow.owner.in_([o for o in owners if o])
        if None in owners:
            condition = or_(condition, ExperimentRow.owner.is_(None))
        rows = session.scalars(
            select(ExperimentRow)
            .where(ExperimentRow.status.in_(IN_FLIGHT), condition)
            .with_for_update()
        ).all()
        for row in rows:
            row.status, row.error, row.owner = ERROR, reason, None
            row.finished_at = row.last_modified = now_ms()
        return len(rows)

    # ExperimentStore ---------------------------------------------------------------------------


_RECORD_FIELDS = {
    "name", "description", "timestep", "length", "simulator_id", "instance", "script", "view",
    "run", "error",
}  # fmt: skip


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
