"""Who saved which project and who started each run, in the database: the projects layer's
`Ownership` on SQLAlchemy, shared by every server on the database. What a saved project is
over and whether it is public are the experiment store's (ProjectSettingsRow); its owner is
kept beside, in a table of its own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from geppetto_dev.projects.ownership import RunRecord
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import ProjectOwnerRow, RunRow
from geppetto_dev.storage.servers import now_ms

__all__ = ["SQLOwnership"]


class SQLOwnership:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, project_id: int, owner_id: int | None) -> None:
        with self.db.write() as session:
            row = session.get(ProjectOwnerRow, project_id, with_for_update=True)
            if row is None:
                session.add(
                    ProjectOwnerRow(project_id=project_id, owner_id=owner_id, created_at=now_ms())
                )
            else:
                row.owner_id = owner_id

    def owner_of(self, project_id: int) -> int | None:
        with self.db.read() as session:
            return session.scalar(
                select(ProjectOwnerRow.owner_id).where(ProjectOwnerRow.project_id == project_id)
            )

    def record_run(self, run: RunRecord) -> None:
        """Kept by name alone if the account was removed meanwhile."""
        for user_id in dict.fromkeys([run.user_id, None]):
            try:
                with self.db.write() as session:
                    session.add(
                        RunRow(
                            project_id=run.project_id,
                            experiment_id=run.experiment_id,
                            run=run.run,
                            user_id=user_id,
                            user_name=run.user_name,
                            started_at=run.started_at or now_ms(),
                        )
                    )
                return
            except IntegrityError:
                if user_id is None:
                    raise

    def runs(self, project_id: int, experiment_id: int) -> list[RunRecord]:
        with self.db.read() as session:
            rows = session.scalars(
                select(RunRow)
                .where(RunRow.project_id == project_id, RunRow.experiment_id == experiment_id)
                .order_by(RunRow.id)
            )
            return [
                RunRecord(
                    r.project_id, r.experiment_id, r.run, r.user_id, r.user_name, r.started_at
                )
                for r in rows
            ]
