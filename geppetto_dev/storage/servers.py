"""Which server processes are alive, so runs of a stopped one are adopted or marked ERROR.

Runs belong to the server process whose executor holds them (`owner`), and each server keeps
a heartbeat row. A run whose owner stopped (a restart, a crash, SIGKILL) is found by
`recover()`: at start for this machine's dead processes at once, and for other machines'
servers once their heartbeat is older than `stale_after` seconds. A run a cluster still
computes (its task remembered in `geppetto_run_tasks`) is adopted by this server when its
executor can follow that task (`adopt`); any other can never finish and is marked ERROR.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from geppetto_dev.projects.records import ERROR, QUEUED, RUNNING
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import ExperimentRow, RunTaskRow, ServerRow

__all__ = ["IN_FLIGHT", "Adopt", "Orphan", "ServerLiveness", "now_ms"]

log = logging.getLogger("geppetto_dev.storage")

IN_FLIGHT = (QUEUED, RUNNING)
_HEARTBEAT_S = 5.0


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Orphan:
    """A run in flight whose server stopped, and the cluster task still computing it."""

    project_id: int
    experiment_id: int
    run: int
    task: str
    owner: str | None


# Follows an orphan's task to its end (storing its result); False when the task is gone.
Adopt = Callable[[Orphan], bool]


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
        # Set by the application when its executor can follow another server's tasks.
        self.adopt: Adopt | None = None
        self._recovering = threading.Lock()

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

    def stop(
        self, reason: str = "the server stopped while it ran", *, keep_cluster_runs: bool = False
    ) -> int:
        """This server's runs in flight cannot finish any more: ERROR, then unregister. With
        `keep_cluster_runs`, those a cluster computes stay in flight, for the next server."""
        self._stop.set()
        with self.db.write() as session:
            keep = self._cluster_runs(session, [self.server_id]) if keep_cluster_runs else []
            count = self._fail(session, [self.server_id], reason, keep=keep)
            session.execute(delete(ServerRow).where(ServerRow.id == self.server_id))
        return count

    def recover(self) -> int:
        """Adopt the runs of gone servers that a cluster still computes, mark the others
        ERROR; returns how many were marked."""
        with self._recovering:  # the heartbeat's and the start's never overlap
            return self._recover()

    def _recover(self) -> int:
        with self.db.read() as session:  # the common case, nothing in flight: no write lock
            if (
                session.scalar(
                    select(ExperimentRow.id).where(ExperimentRow.status.in_(IN_FLIGHT)).limit(1)
                )
                is None
            ):
                return 0
        adopted: list[Orphan] = []
        if self.adopt is not None:
            with self.db.read() as session:
                orphans = self._cluster_runs(session, self._dead_owners(session))
            # Outside any transaction: following a task asks the cluster.
            adopted = [orphan for orphan in orphans if self.adopt(orphan)]
        with self.db.write() as session:
            for orphan in adopted:
                row = session.get(ExperimentRow, (orphan.project_id, orphan.experiment_id))
                if row is not None and row.status in IN_FLIGHT and row.run == orphan.run:
                    row.owner = self.server_id
                    log.info(
                        "experiment %s of project %s: run %s taken over from the cluster",
                        orphan.experiment_id,
                        orphan.project_id,
                        orphan.run,
                    )
            dead = self._dead_owners(session)
            count = self._fail(session, dead, "the server running it stopped (restart or crash)")
            if dead:
                session.execute(delete(ServerRow).where(ServerRow.id.in_(dead)))
        return count

    def _dead_owners(self, session: Session) -> list[str | None]:
        """Owners of runs in flight whose server is gone (None: a run with no owner)."""
        host = socket.gethostname()
        stale = now_ms() - int(self.stale_after * 1000)
        owners = set(
            session.scalars(select(ExperimentRow.owner).where(ExperimentRow.status.in_(IN_FLIGHT)))
        )
        servers = {
            s.id: s
            for s in session.scalars(select(ServerRow).where(ServerRow.id.in_(owners - {None})))
        }
        dead: list[str | None] = []
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
        return dead

    def _cluster_runs(self, session: Session, owners: list[str | None]) -> list[Orphan]:
        """The runs in flight of `owners` whose current run has a cluster task."""
        named = [o for o in owners if o]
        if not named:
            return []
        rows = session.execute(
            select(
                ExperimentRow.project_id,
                ExperimentRow.id,
                ExperimentRow.run,
                RunTaskRow.task,
                ExperimentRow.owner,
            )
            .join(
                RunTaskRow,
                (RunTaskRow.project_id == ExperimentRow.project_id)
                & (RunTaskRow.experiment_id == ExperimentRow.id)
                & (RunTaskRow.run == ExperimentRow.run),
            )
            .where(ExperimentRow.status.in_(IN_FLIGHT), ExperimentRow.owner.in_(named))
        ).all()
        return [Orphan(p, e, r, t, o) for p, e, r, t, o in rows]

    def _fail(
        self,
        session: Session,
        owners: list[str | None],
        reason: str,
        *,
        keep: list[Orphan] | None = None,
    ) -> int:
        if not owners:
            return 0
        condition: ColumnElement[bool] = ExperimentRow.owner.in_([o for o in owners if o])
        if None in owners:
            condition = or_(condition, ExperimentRow.owner.is_(None))
        kept = {(o.project_id, o.experiment_id) for o in keep or ()}
        rows = session.scalars(
            select(ExperimentRow)
            .where(ExperimentRow.status.in_(IN_FLIGHT), condition)
            .with_for_update()
        ).all()
        failed = 0
        for row in rows:
            if (row.project_id, row.id) in kept:
                continue
            row.status, row.error, row.owner = ERROR, reason, None
            row.finished_at = row.last_modified = now_ms()
            failed += 1
        return failed

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
