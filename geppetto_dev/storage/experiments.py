"""Experiments in the database: the projects layer's `ExperimentStore`, on SQLAlchemy.

Every call is one unit of work. Writes lock the rows they change first (`SELECT ... FOR
UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so several server processes on one
database never lose an update. A deleted experiment keeps a DELETED row (without results):
its id is never reused and a project's declared experiments are not seeded back at the next
start. Results are read only when an experiment is played, not at every status poll.

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
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geppetto_dev import model as gm
from geppetto_dev.projects.store import (
    COMPLETED,
    DESIGN,
    ERROR,
    QUEUED,
    RUNNING,
    ExperimentRecord,
)
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import ExperimentRow, ProjectRow, ResultRow, ServerRow

__all__ = ["DELETED", "SQLExperimentStore", "StoredResults"]

log = logging.getLogger("geppetto_dev.storage")

DELETED = "DELETED"
_IN_FLIGHT = (QUEUED, RUNNING)
_HEARTBEAT_S = 5.0


def _now_ms() -> int:
    return int(time.time() * 1000)


class StoredResults(Mapping[str, Any]):
    """An experiment's results, read from the database on first access."""

    def __init__(self, db: Database, project_id: int, experiment_id: int) -> None:
        self._db = db
        self._key = (project_id, experiment_id)
        self._data: dict[str, gm.TimeSeries] | None = None

    def _load(self) -> dict[str, gm.TimeSeries]:
        if self._data is None:
            with self._db.read() as session:
                rows = session.scalars(
                    select(ResultRow)
                    .where(
                        ResultRow.project_id == self._key[0],
                        ResultRow.experiment_id == self._key[1],
                    )
                    .order_by(ResultRow.position)
                )
                self._data = {
                    r.path: gm.TimeSeries([float(v) for v in r.values], r.unit) for r in rows
                }
        return self._data

    def __getitem__(self, key: str) -> gm.TimeSeries:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def _series(value: Any) -> tuple[list[float], str | None]:
    """(samples, unit) of a TimeSeries (ours or pygeppetto's) or a plain list of numbers."""
    if isinstance(value, gm.TimeSeries):
        return [float(v) for v in value.value], value.unit
    samples = getattr(value, "value", value)
    unit = getattr(value, "unit", None)
    unit = getattr(unit, "unit", unit)
    return [float(v) for v in samples], (str(unit) if unit is not None else None)


class SQLExperimentStore:
    """`ExperimentStore` on a database shared by every server process pointed at it."""

    def __init__(
        self, db: Database, *, server_id: str | None = None, stale_after: float = 30.0
    ) -> None:
        self.db = db
        self.server_id = server_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stale_after = stale_after
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    # This server's life --------------------------------------------------------------------

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
        now = _now_ms()
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
                        row.heartbeat = _now_ms()
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
        stale = _now_ms() - int(self.stale_after * 1000)
        with self.db.read() as session:  # the common case, nothing in flight: no write lock
            if (
                session.scalar(
                    select(ExperimentRow.id).where(ExperimentRow.status.in_(_IN_FLIGHT)).limit(1)
                )
                is None
            ):
                return 0
        with self.db.write() as session:
            owners = set(
                session.scalars(
                    select(ExperimentRow.owner).where(ExperimentRow.status.in_(_IN_FLIGHT))
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
            .where(ExperimentRow.status.in_(_IN_FLIGHT), condition)
            .with_for_update()
        ).all()
        for row in rows:
            row.status, row.error, row.owner = ERROR, reason, None
            row.finished_at = row.last_modified = _now_ms()
        return len(rows)

    # ExperimentStore ---------------------------------------------------------------------------

    def seed(self, project_id: int, records: Iterable[ExperimentRecord]) -> None:
        records = list(records)
        for attempt in (1, 2):
            try:
                with self.db.write() as session:
                    self._project(session, project_id)
                    known = set(
                        session.scalars(
                            select(ExperimentRow.id).where(ExperimentRow.project_id == project_id)
                        )
                    )
                    for record in records:
                        if record.id not in known:
                            session.add(self._new_row(project_id, record.id, record))
                return
            except IntegrityError:  # another server seeded the same project just now
                if attempt == 2:
                    raise

    def list(self, project_id: int) -> list[ExperimentRecord]:
        # Plain rows, not ORM objects: every status poll lists a project's experiments.
        table = ExperimentRow.__table__
        with self.db.read() as session:
            rows = session.execute(
                select(table)
                .where(table.c.project_id == project_id, table.c.status != DELETED)
                .order_by(table.c.id)
            ).all()
            return [self._record(r) for r in rows]

    def get(self, project_id: int, experiment_id: int) -> ExperimentRecord | None:
        with self.db.read() as session:
            row = session.get(ExperimentRow, (project_id, experiment_id))
            return None if row is None or row.status == DELETED else self._record(row)

    def update(
        self, project_id: int, experiment_id: int, *, if_status: str | None = None, **changes: Any
    ) -> ExperimentRecord:
        with self.db.write() as session:
            row = self._locked(session, project_id, experiment_id)
            if row is None or row.status == DELETED:
                raise KeyError(f"project {project_id} has no experiment {experiment_id}")
            if if_status is not None and row.status != if_status:
                return self._record(row)
            self._apply(session, row, changes)
            session.flush()
            return self._record(row)

    def drop(self, project_id: int) -> None:
        with self.db.write() as session:
            session.execute(delete(ProjectRow).where(ProjectRow.id == project_id))

    # Editing (new, clone, delete; project properties) ------------------------------------------

    def create(self, project_id: int, record: ExperimentRecord) -> ExperimentRecord:
        """Store `record` under the project's next free id (its own id is ignored)."""
        with self.db.write() as session:
            self._project(session, project_id, lock=True)
            last = session.scalar(
                select(func.max(ExperimentRow.id)).where(ExperimentRow.project_id == project_id)
            )
            row = self._new_row(project_id, (last or 0) + 1, record)
            session.add(row)
            session.flush()
            return self._record(row)

    def delete(self, project_id: int, experiment_id: int) -> ExperimentRecord | None:
        """Mark the experiment DELETED and drop its results; the record as it was, or None."""
        with self.db.write() as session:
            row = self._locked(session, project_id, experiment_id)
            if row is None or row.status == DELETED:
                return None
            before = self._record(row, with_results=False)
            session.execute(
                delete(ResultRow).where(
                    ResultRow.project_id == project_id, ResultRow.experiment_id == experiment_id
                )
            )
            row.status, row.owner, row.last_modified = DELETED, None, _now_ms()
            project = session.get(ProjectRow, project_id)
            if project is not None and project.active_experiment_id == experiment_id:
                project.active_experiment_id = -1
            return before

    def project_name(self, project_id: int) -> str | None:
        """The name given from the UI (save_project_properties), if any."""
        with self.db.read() as session:
            return (
                session.scalar(select(ProjectRow.name).where(ProjectRow.id == project_id)) or None
            )

    def save_project(self, project_id: int, **changes: Any) -> ProjectRow:
        """Change name, persisted, active_experiment_id or view of a project."""
        with self.db.write() as session:
            row = self._project(session, project_id, lock=True)
            for key, value in changes.items():
                if key not in ("name", "persisted", "active_experiment_id", "view"):
                    raise ValueError(f"unknown project property {key}")
                setattr(row, key, value)
            row.last_modified = _now_ms()
            session.flush()
            return row

    # Rows <-> records ------------------------------------------------------------------------

    def _project(self, session: Session, project_id: int, *, lock: bool = False) -> ProjectRow:
        query = select(ProjectRow).where(ProjectRow.id == project_id)
        row = session.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            row = ProjectRow(id=project_id, name="", persisted=True, last_modified=_now_ms())
            session.add(row)
            session.flush()
        return row

    def _locked(
        self, session: Session, project_id: int, experiment_id: int
    ) -> ExperimentRow | None:
        return session.scalars(
            select(ExperimentRow)
            .where(ExperimentRow.project_id == project_id, ExperimentRow.id == experiment_id)
            .with_for_update()
        ).one_or_none()

    def _new_row(
        self, project_id: int, experiment_id: int, record: ExperimentRecord
    ) -> ExperimentRow:
        row = ExperimentRow(project_id=project_id, id=experiment_id, name=record.name)
        row.last_modified = _now_ms()
        row.status, row.run, row.results = DESIGN, 0, []
        fields = {
            k: getattr(record, k)
            for k in (
                "description", "watched", "parameters", "timestep", "length",
                "simulator_id", "instance", "script", "view",
            )
        }  # fmt: skip
        self._apply(None, row, fields)
        return row

    def _apply(
        self, session: Session | None, row: ExperimentRow, changes: Mapping[str, Any]
    ) -> None:
        now = _now_ms()
        for key, value in changes.items():
            if key == "last_modified":
                continue  # always now
            if key == "watched":
                row.watched = [str(p) for p in value]
            elif key == "parameters":
                row.parameters = [[str(p), float(v)] for p, v in value]
            elif key == "results":
                row.results = []
                if session is not None:
                    session.flush()  # old rows go before the new ones share their keys
                for position, (path, series) in enumerate((value or {}).items()):
                    samples, unit = _series(series)
                    row.results.append(
                        ResultRow(position=position, path=str(path), unit=unit, values=samples)
                    )
            elif key == "status":
                row.status = value
                if value in _IN_FLIGHT:
                    row.owner = self.server_id
                    if value == QUEUED:
                        row.submitted_at, row.finished_at = now, None
                else:
                    row.owner = None
                    if value in (COMPLETED, ERROR):
                        row.finished_at = now
            elif key in _RECORD_FIELDS:
                setattr(row, key, value)
            else:
                raise TypeError(f"ExperimentRecord has no field {key!r}")
        row.last_modified = now

    def _record(self, row: Any, *, with_results: bool = True) -> ExperimentRecord:
        """From an ExperimentRow or a plain row of its table (same attribute names)."""
        results = (
            StoredResults(self.db, row.project_id, row.id)
            if with_results and row.status == COMPLETED
            else None
        )
        return ExperimentRecord(
            id=row.id,
            name=row.name,
            description=row.description or "",
            status=row.status,
            watched=tuple(row.watched or ()),
            parameters=tuple((str(p), float(v)) for p, v in (row.parameters or ())),
            timestep=row.timestep,
            length=row.length,
            simulator_id=row.simulator_id,
            instance=row.instance or "",
            script=row.script,
            view=row.view,
            last_modified=str(row.last_modified),
            run=row.run,
            results=results,
            error=row.error,
        )


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
