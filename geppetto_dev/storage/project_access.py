"""The projects users saved and who started each run, in the database: the projects layer's
`ProjectAccess` on SQLAlchemy, shared by every server on the database.

A saved project is two rows written in one transaction: its ProjectRow (name, active
experiment, view: what the experiment store already keeps for every project) and its
UserProjectRow (the application project it was saved from, its owner, whether it is public).
"""

from __future__ import annotations

from sqlalchemy import false, or_, select
from sqlalchemy.exc import IntegrityError

from geppetto_dev.projects.ownership import RunRecord, UserProject
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import ProjectRow, RunRow, UserProjectRow
from geppetto_dev.storage.servers import now_ms

__all__ = ["SQLProjectAccess"]


class SQLProjectAccess:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, project: UserProject) -> None:
        now = now_ms()
        try:
            with self.db.write() as session:
                if session.get(ProjectRow, project.id) is not None:
                    raise KeyError(f"project id {project.id} is taken")
                session.add(
                    ProjectRow(
                        id=project.id,
                        name=project.name,
                        persisted=True,
                        active_experiment_id=(
                            -1
                            if project.active_experiment_id is None
                            else project.active_experiment_id
                        ),
                        view=project.view,
                        last_modified=now,
                    )
                )
                session.flush()
                session.add(
                    UserProjectRow(
                        id=project.id,
                        base_project_id=project.base_id,
                        owner_id=project.owner_id,
                        public=project.public,
                        created_at=now,
                    )
                )
        except IntegrityError:  # another server took the id in between
            raise KeyError(f"project id {project.id} is taken") from None

    def get(self, project_id: int) -> UserProject | None:
        with self.db.read() as session:
            found = session.execute(
                select(UserProjectRow, ProjectRow)
                .join(ProjectRow, ProjectRow.id == UserProjectRow.id)
                .where(UserProjectRow.id == project_id)
            ).one_or_none()
            return _project(*found) if found is not None else None

    def listed(self, user_id: int | None, *, everything: bool = False) -> list[UserProject]:
        query = select(UserProjectRow, ProjectRow).join(
            ProjectRow, ProjectRow.id == UserProjectRow.id
        )
        if not everything:
            mine = UserProjectRow.owner_id == user_id if user_id is not None else false()
            query = query.where(or_(UserProjectRow.public.is_(True), mine))
        with self.db.read() as session:
            rows = session.execute(query.order_by(UserProjectRow.id)).all()
            return [_project(saved, project) for saved, project in rows]

    def set_public(self, project_id: int, public: bool) -> UserProject:
        with self.db.write() as session:
            row = session.get(UserProjectRow, project_id, with_for_update=True)
            if row is None:
                raise KeyError(f"no saved project {project_id}")
            row.public = public
        found = self.get(project_id)
        assert found is not None
        return found

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


def _project(saved: UserProjectRow, project: ProjectRow) -> UserProject:
    active = project.active_experiment_id
    return UserProject(
        id=saved.id,
        base_id=saved.base_project_id,
        name=project.name,
        owner_id=saved.owner_id,
        public=saved.public,
        active_experiment_id=None if active in (None, -1) else active,
        view=project.view,
    )
