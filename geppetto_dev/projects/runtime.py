"""A project as the server runs it: its model source, its experiments' store, its runs.

Registered projects have one runtime per application (see services.py), shared by every
connection, so experiment status and results are per project. A project loaded from JSON
content (or a fetched URL) is volatile, as in the Java server: a random id, a store of its own,
held by the connection that loaded it, and no runs. A project a user saved is `owned`: its
experiments are its own, over the model of the application project it was saved from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geppetto_dev.projects.model_source import ModelSource
from geppetto_dev.projects.project import Project
from geppetto_dev.projects.project_json import project_json
from geppetto_dev.projects.records import ExperimentRecord, ExperimentStore
from geppetto_dev.projects.runs import ExperimentRunner

__all__ = ["ProjectRuntime"]


class ProjectRuntime:
    def __init__(
        self,
        project: Project,
        *,
        project_id: int,
        name: str,
        store: ExperimentStore,
        source: ModelSource,
        volatile: bool = False,
        active_experiment_id: int | None = None,
        view: str | None = None,
        runner: ExperimentRunner,
        is_public: bool = False,
        owned: bool = False,
        owner_id: int | None = None,
    ) -> None:
        self.project = project
        self.id = project_id
        self.name = name
        self.store = store
        self.source = source
        self.volatile = volatile
        self.active_experiment_id = active_experiment_id
        self.view = view
        self.runner = runner
        self.is_public = is_public
        # A project a user saved (see ownership.py): who may change it (None: no one's but
        # the admins', once its owner's account is gone).
        self.owned = owned
        self.owner_id = owner_id

    @property
    def persisted(self) -> bool:
        return self.owned or (self.project.persisted and not self.volatile)

    def records(self) -> list[ExperimentRecord]:
        return self.runner.refresh(self.store, self.id)

    def record(self, experiment_id: int) -> ExperimentRecord | None:
        return next((r for r in self.records() if r.id == experiment_id), None)

    def to_json(self, records: Sequence[ExperimentRecord] | None = None) -> dict[str, Any]:
        records = self.records() if records is None else records
        active = self.active_experiment_id
        if active is not None and all(r.id != active for r in records):
            active = None
        return project_json(
            self.id,
            self.name,
            records,
            model_url=self.project.name,
            active_experiment_id=active,
            view=self.view,
            is_public=self.is_public,
        )
