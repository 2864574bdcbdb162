"""The tables of projects, experiments, their results, and the servers that run experiments.

Names start with `geppetto_` so a project's own tables (the starter's `people`) share the
database without clashes. Times are integer milliseconds since the epoch (what the clients
show as `lastModified`). JSON columns hold small lists (watched paths, parameters); results
get a row per recorded variable, so a large time series is written once and read only when an
experiment is played.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from geppetto_dev.storage.db import Base

__all__ = [
    "ExperimentRow",
    "ModelFileRow",
    "ProjectRow",
    "ProjectSettingsRow",
    "ResultRow",
    "RunTaskRow",
    "ServerRow",
    "SimulatorSettingsRow",
]


class ProjectRow(Base):
    __tablename__ = "geppetto_projects"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(500))
    # Persisted projects are editable from the UI; others are shown read-only.
    persisted: Mapped[bool] = mapped_column(default=False)
    active_experiment_id: Mapped[int] = mapped_column(Integer, default=-1)
    view: Mapped[str | None] = mapped_column(Text, default=None)
    last_modified: Mapped[int] = mapped_column(BigInteger)

    experiments: Mapped[list[ExperimentRow]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    settings: Mapped[ProjectSettingsRow | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class ExperimentRow(Base):
    __tablename__ = "geppetto_experiments"

    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("geppetto_projects.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="DESIGN", index=True)
    watched: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [[variable path, value], ...], in the order they were set.
    parameters: Mapped[list[Any]] = mapped_column(JSON, default=list)
    timestep: Mapped[float] = mapped_column(Float, default=1e-05)
    length: Mapped[float] = mapped_column(Float, default=0.1)
    simulator_id: Mapped[str] = mapped_column(String(200), default="pythonSimulator")
    instance: Mapped[str] = mapped_column(String(1000), default="")
    script: Mapped[str | None] = mapped_column(Text, default=None)
    view: Mapped[str | None] = mapped_column(Text, default=None)
    last_modified: Mapped[int] = mapped_column(BigInteger)
    # Runs started so far: a connection tells a new run's COMPLETED from an old one's.
    run: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # The server whose executor holds the current run (ServerRow.id), while QUEUED or RUNNING.
    owner: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    submitted_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, default=None)

    project: Mapped[ProjectRow] = relationship(back_populates="experiments")
    results: Mapped[list[ResultRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ResultRow.position"
    )
    simulator: Mapped[SimulatorSettingsRow | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class ResultRow(Base):
    """One recorded variable of an experiment's last completed run."""

    __tablename__ = "geppetto_results"
    __table_args__ = (
        ForeignKeyConstraint(
            ["project_id", "experiment_id"],
            ["geppetto_experiments.project_id", "geppetto_experiments.id"],
            ondelete="CASCADE",
        ),
    )

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(1000))
    unit: Mapped[str | None] = mapped_column(String(100), default=None)
    values: Mapped[list[float]] = mapped_column(JSON)


# Tables added after the first release. The schema is made with `create_all`, which creates
# the tables a database lacks and never alters one it has: what a later version keeps is put in
# tables of its own, so a database written by an earlier version opens as it is.


class SimulatorSettingsRow(Base):
    """An experiment's simulator settings beyond its simulatorId, as the client saves them."""

    __tablename__ = "geppetto_simulator_settings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["project_id", "experiment_id"],
            ["geppetto_experiments.project_id", "geppetto_experiments.id"],
            ondelete="CASCADE",
        ),
    )

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversion_service_id: Mapped[str | None] = mapped_column(String(200), default=None)
    # {name: text}: Java's SimulatorConfiguration.parameters (SP$<name> from the client).
    parameters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class RunTaskRow(Base):
    """The cluster task computing an experiment's run: a run that outlives the server that
    submitted it, which a server started later adopts by this name."""

    __tablename__ = "geppetto_run_tasks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["project_id", "experiment_id"],
            ["geppetto_experiments.project_id", "geppetto_experiments.id"],
            ondelete="CASCADE",
        ),
    )

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run: Mapped[int] = mapped_column(Integer)
    task: Mapped[str] = mapped_column(String(200))


class ProjectSettingsRow(Base):
    """Whether a project is public, and what a project persisted from JSON content is over."""

    __tablename__ = "geppetto_project_settings"

    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("geppetto_projects.id", ondelete="CASCADE"), primary_key=True
    )
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # The registered project (by name) whose model a persisted copy loads; None for others.
    base: Mapped[str | None] = mapped_column(String(500), default=None)


class ServerRow(Base):
    """A server process that runs experiments; its heartbeat tells the others it is alive."""

    __tablename__ = "geppetto_servers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[int] = mapped_column(BigInteger)
    heartbeat: Mapped[int] = mapped_column(BigInteger, index=True)


class ModelFileRow(Base):
    """What the stored experiments of a project read from a file belong to: the hash of the
    file's content. A project with other content gets its experiments reset (see
    `SQLExperimentStore.claim`). Its own table, so databases made before it gain it as they
    open, with no migration."""

    __tablename__ = "geppetto_model_files"

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    content: Mapped[str] = mapped_column(String(200))
    last_modified: Mapped[int] = mapped_column(BigInteger)
