"""The database layer on real databases: schema creation, whole-or-nothing writes, several
processes writing one database at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.storage import Database, database
from geppetto_dev.storage.schema import ExperimentRow, ProjectRow
from geppetto_dev.storage.warm import warm_up

ROOT = Path(__file__).resolve().parents[2]


def test_schema_is_created_on_first_use(database_url: str) -> None:
    db = database(database_url)
    tables = set(inspect(db.engine).get_table_names())
    assert {"geppetto_projects", "geppetto_experiments", "geppetto_results"} <= tables
    db.create()  # again: nothing to do, no error


def test_sqlite_file_and_its_folder_are_made(tmp_path: Path) -> None:
    path = tmp_path / "data" / "deep" / "x.sqlite3"
    database(f"sqlite:///{path}")
    assert path.is_file()


def test_a_failed_write_leaves_nothing(database_url: str) -> None:
    db = database(database_url)
    with db.write() as session:
        session.add(ProjectRow(id=1, name="p", last_modified=0))
    with pytest.raises(RuntimeError), db.write() as session:
        project = session.get(ProjectRow, 1)
        assert project is not None
        project.name = "renamed"
        session.add(ExperimentRow(project_id=1, id=1, name="e", last_modified=0))
        session.flush()
        raise RuntimeError("crash mid-write")
    with db.read() as session:
        assert session.scalar(select(ProjectRow.name)) == "p"
        assert session.scalar(select(func.count()).select_from(ExperimentRow)) == 0


COUNTER = """
import sys
from sqlalchemy import select
from geppetto_dev.storage import database
from geppetto_dev.storage.schema import ProjectRow

db = database(sys.argv[1])
for _ in range(int(sys.argv[2])):
    with db.write() as session:  # read, then write what was read: the lost-update case
        project = session.scalars(
            select(ProjectRow).where(ProjectRow.id == 1).with_for_update()
        ).one()
        project.active_experiment_id += 1
"""


def test_processes_writing_at_once_lose_no_update(database_url: str) -> None:
    db = database(database_url)
    with db.write() as session:
        session.add(ProjectRow(id=1, name="p", active_experiment_id=0, last_modified=0))
    script = textwrap.dedent(COUNTER)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, database_url, "20"],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
    with db.read() as session:
        assert session.scalar(select(ProjectRow.active_experiment_id)) == 60


def test_bad_urls_are_explained(tmp_path: Path) -> None:
    with pytest.raises(GeppettoDevError) as info:
        Database("not a url")
    assert "SQLAlchemy URL" in info.value.message
    with pytest.raises(GeppettoDevError) as info:
        Database("nosuchdb://x/y")
    assert "no driver" in info.value.message
    unreachable = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(GeppettoDevError) as info:
        unreachable.create()
    assert "cannot open the database" in info.value.message


def test_warm_up_leaves_a_ready_engine_and_no_open_connection(tmp_path: Path) -> None:
    """What the reload fork server runs before it forks servers: the schema is there, and no
    connection is left open to be shared across a fork."""
    url = f"sqlite:///{tmp_path / 'warm.sqlite3'}"
    warm_up(url)
    db = database(url)
    assert db.engine.pool.checkedin() == 0
    tables = sqlite3.connect(tmp_path / "warm.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    assert "geppetto_experiments" in {name for (name,) in tables}


def test_warm_up_of_an_unreachable_database_is_quiet(tmp_path: Path) -> None:
    # Each server reports it when it starts; the fork server must not die of it.
    warm_up(f"sqlite:///{tmp_path}/no/such/dir/../../x/\0bad.sqlite3")
