"""The tables of projects, experiments, their results, the servers that run experiments, and
the accounts (users, their login sessions, failed logins, the session-signing key), who saved
which project and who started each run.

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from geppetto_dev.storage.db import Base

__all__ = [
    "ExperimentRow",
    "LoginFailureRow",
    "LoginSessionRow",
    "ModelFileRow",
    "ProjectOwnerRow",
    "ProjectRow",
    "ProjectSettingsRow",
    "ResultRow",
    "RunRow",
    "RunTaskRow",
    "SecretRow",
    "ServerRow",
    "SimulatorSettingsRow",
    "UserRow",
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


class UserRow(Base):
    """An account: a login name, a password hash (never the password), a role."""

    __tablename__ = "geppetto_users"
    __table_args__ = (UniqueConstraint("name", name="uq_geppetto_users_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(150))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[int] = mapped_column(BigInteger)
    last_login: Mapped[int | None] = mapped_column(BigInteger, default=None)


class LoginSessionRow(Base):
    """A login: the session cookie carries a random token, the database only its hash, so a
    logout or a password change ends it and a copy of the database logs nobody in."""

    __tablename__ = "geppetto_login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("geppetto_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class LoginFailureRow(Base):
    """A failed login, counted per user name and per address to slow password guessing."""

    __tablename__ = "geppetto_login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), index=True)  # "user:alice", "address:..."
    at: Mapped[int] = mapped_column(BigInteger, index=True)


class SecretRow(Base):
    """Secrets every server of the database shares: the key signing session cookies."""

    __tablename__ = "geppetto_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class ProjectOwnerRow(Base):
    """Who saved a project (persist_project): theirs to change, private until made public.
    None once the owner's account is removed: then only admins may change it."""

    __tablename__ = "geppetto_project_owners"

    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("geppetto_projects.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("geppetto_users.id", ondelete="SET NULL"), index=True, default=None
    )
    created_at: Mapped[int] = mapped_column(BigInteger)


class RunRow(Base):
    """Who started a run of an experiment (kept by name too, should the account go)."""

    __tablename__ = "geppetto_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(BigInteger, index=True)
    experiment_id: Mapped[int] = mapped_column(Integer)
    run: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("geppetto_users.id", ondelete="SET NULL"), default=None
    )
    user_name: Mapped[str] = mapped_column(String(150))
    started_at: Mapped[int] = mapped_column(BigInteger)
