"""Experiments in the database: the projects layer's `ExperimentStore`, on SQLAlchemy.

Every call is one unit of work. Writes lock the rows they change first (`SELECT ... FOR
UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so several server processes on one
database never lose an update. A deleted experiment keeps a DELETED row (without results):
its id is never reused and a project's declared experiments are not seeded back at the next
start. Results are read only when an experiment is played, not at every status poll. Which
server owns a run, and what happens to the runs of a stopped one, is servers.py's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geppetto_dev.projects.records import FIRST_STORED_ID, ExperimentRecord, StoredProject
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.rows import DELETED, apply_changes, new_row, record_of_row
from geppetto_dev.storage.schema import (
    ExperimentRow,
    ModelFileRow,
    ProjectRow,
    ProjectSettingsRow,
    ResultRow,
    RunTaskRow,
    SimulatorSettingsRow,
)
from geppetto_dev.storage.servers import ServerLiveness, now_ms

__all__ = ["SQLExperimentStore"]


class SQLExperimentStore:
    """`ExperimentStore` on a database shared by every server process pointed at it."""

    def __init__(
        self, db: Database, *, server_id: str | None = None, stale_after: float = 30.0
    ) -> None:
        self.db = db
        self.servers = ServerLiveness(db, server_id=server_id, stale_after=stale_after)
        self.server_id = self.servers.server_id

    # This server's life (see servers.py) -------------------------------------------------------

    def start(self) -> int:
        """Register this server, mark runs of stopped servers ERROR, keep a heartbeat.
        Returns how many runs were marked."""
        return self.servers.start()

    def warm(self) -> None:
        """Run the statements a starting server runs, so their compiled forms stay cached on
        the engine the reload fork server hands to every server it forks."""
        self.servers.warm()

    def stop(
        self, reason: str = "the server stopped while it ran", *, keep_cluster_runs: bool = False
    ) -> int:
        return self.servers.stop(reason, keep_cluster_runs=keep_cluster_runs)

    def recover(self) -> int:
        return self.servers.recover()

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
                            session.add(new_row(self.server_id, project_id, record.id, record))
                return
            except IntegrityError:  # another server seeded the same project just now
                if attempt == 2:
                    raise

    def list(self, project_id: int) -> list[ExperimentRecord]:
        # Plain rows, not ORM objects: every status poll lists a project's experiments.
        table = ExperimentRow.__table__
        sim = SimulatorSettingsRow.__table__
        with self.db.read() as session:
            rows = session.execute(
                select(
                    table,
                    sim.c.conversion_service_id,
                    sim.c.parameters.label("simulator_parameters"),
                )
                .outerjoin(
                    sim,
                    (sim.c.project_id == table.c.project_id) & (sim.c.experiment_id == table.c.id),
                )
                .where(table.c.project_id == project_id, table.c.status != DELETED)
                .order_by(table.c.id)
            ).all()
            return [record_of_row(self.db, r) for r in rows]

    def get(self, project_id: int, experiment_id: int) -> ExperimentRecord | None:
        with self.db.read() as session:
            row = session.get(ExperimentRow, (project_id, experiment_id))
            return None if row is None or row.status == DELETED else record_of_row(self.db, row)

    def update(
        self, project_id: int, experiment_id: int, *, if_status: str | None = None, **changes: Any
    ) -> ExperimentRecord:
        with self.db.write() as session:
            row = self._locked(session, project_id, experiment_id)
            if row is None or row.status == DELETED:
                raise KeyError(f"project {project_id} has no experiment {experiment_id}")
            if if_status is not None and row.status != if_status:
                return record_of_row(self.db, row)
            apply_changes(self.server_id, session, row, changes)
            session.flush()
            return record_of_row(self.db, row)

    def remember_task(self, project_id: int, experiment_id: int, run: int, task: str) -> None:
        """The cluster task of an experiment's run, for a server started later to adopt."""
        with self.db.write() as session:
            session.merge(
                RunTaskRow(project_id=project_id, experiment_id=experiment_id, run=run, task=task)
            )

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
            row = new_row(self.server_id, project_id, (last or 0) + 1, record)
            session.add(row)
            session.flush()
            return record_of_row(self.db, row)

    def delete(self, project_id: int, experiment_id: int) -> ExperimentRecord | None:
        """Mark the experiment DELETED and drop its results; the record as it was, or None."""
        with self.db.write() as session:
            row = self._locked(session, project_id, experiment_id)
            if row is None or row.status == DELETED:
                return None
            before = record_of_row(self.db, row, with_results=False)
            session.execute(
                delete(ResultRow).where(
                    ResultRow.project_id == project_id, ResultRow.experiment_id == experiment_id
                )
            )
            row.status, row.owner, row.last_modified = DELETED, None, now_ms()
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
        """Change name, persisted, active_experiment_id, view, is_public or base of a project."""
        with self.db.write() as session:
            row = self._project(session, project_id, lock=True)
            for key, value in changes.items():
                if key in ("is_public", "base"):
                    if row.settings is None:
                        row.settings = ProjectSettingsRow(is_public=False)
                    setattr(row.settings, key, value)
                elif key in ("name", "persisted", "active_experiment_id", "view"):
                    setattr(row, key, value)
                else:
                    raise ValueError(f"unknown project property {key}")
            row.last_modified = now_ms()
            session.flush()
            return row

    def project_info(self, project_id: int) -> StoredProject | None:
        with self.db.read() as session:
            row = session.get(ProjectRow, project_id)
            return _stored(row) if row is not None else None

    def copies(self) -> tuple[StoredProject, ...]:
        with self.db.read() as session:
            rows = session.scalars(
                select(ProjectRow)
                .join(ProjectSettingsRow)
                .where(ProjectSettingsRow.base.is_not(None))
                .order_by(ProjectRow.id)
            )
            return tuple(_stored(r) for r in rows)

    def new_project_id(self, taken: Iterable[int] = ()) -> int:
        with self.db.read() as session:
            last = session.scalar(select(func.max(ProjectRow.id))) or 0
        return max(FIRST_STORED_ID - 1, last, *taken) + 1

    def claim(self, project_id: int, content: str) -> bool:
        """Drop the project's experiments (and results) if stored for other content."""
        with self.db.write() as session:
            row = session.scalars(
                select(ModelFileRow).where(ModelFileRow.project_id == project_id).with_for_update()
            ).one_or_none()
            if row is not None and row.content == content:
                return False
            # Rows of an unknown content (none recorded) are not this content's either.
            dropped = session.get(ProjectRow, project_id) is not None
            if dropped:
                session.execute(delete(ProjectRow).where(ProjectRow.id == project_id))
            if row is None:
                session.add(
                    ModelFileRow(project_id=project_id, content=content, last_modified=now_ms())
                )
            else:
                row.content, row.last_modified = content, now_ms()
            return dropped

    # Rows <-> records ------------------------------------------------------------------------

    def _project(self, session: Session, project_id: int, *, lock: bool = False) -> ProjectRow:
        query = select(ProjectRow).where(ProjectRow.id == project_id)
        row = session.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            row = ProjectRow(id=project_id, name="", persisted=True, last_modified=now_ms())
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


def _stored(row: ProjectRow) -> StoredProject:
    settings = row.settings
    return StoredProject(
        id=row.id,
        name=row.name,
        is_public=bool(settings.is_public) if settings is not None else False,
        base=settings.base if settings is not None else None,
        active_experiment_id=row.active_experiment_id,
        view=row.view,
    )
