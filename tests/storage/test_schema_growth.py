"""What later versions keep goes in tables of their own: a database written before them opens
as it is, its experiments intact, and the new tables are made beside the old ones. Also the
store's side of the new things it keeps: simulator settings, public projects, copies of
projects loaded from JSON content, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from geppetto_dev.projects.records import FIRST_STORED_ID, ExperimentRecord, StoredProject
from geppetto_dev.storage import database
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.experiment_store import SQLExperimentStore

NEW_TABLES = ("geppetto_simulator_settings", "geppetto_project_settings")


@pytest.fixture
def store(database_url: str) -> Iterator[SQLExperimentStore]:
    store = SQLExperimentStore(database(database_url))
    store.start()
    yield store
    store.stop()


def test_a_database_of_the_previous_version_opens_and_grows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    first = Database(url)
    first.create()
    SQLExperimentStore(first).seed(5, [ExperimentRecord(1, "kept", watched=("cell.v",))])
    first.dispose()
    # The file as the previous version left it: without the tables added since.
    with sqlite3.connect(tmp_path / "old.sqlite3") as raw:
        for table in NEW_TABLES:
            raw.execute(f"DROP TABLE {table}")
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert not tables & set(NEW_TABLES)

    again = Database(url)
    again.create()
    store = SQLExperimentStore(again)
    (kept,) = store.list(5)
    assert (kept.name, kept.watched, kept.conversion_service_id) == ("kept", ("cell.v",), None)
    saved = store.update(
        5, 1, conversion_service_id="lemsConversion", simulator_parameters=(("target", "n"),)
    )
    assert saved.simulator_parameters == (("target", "n"),)
    with sqlite3.connect(tmp_path / "old.sqlite3") as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(NEW_TABLES) <= tables
    again.dispose()


def test_simulator_settings_round_trip(store: SQLExperimentStore) -> None:
    seeded = ExperimentRecord(1, "a", conversion_service_id="c", simulator_parameters=(("x", "1"),))
    store.seed(11, [seeded, ExperimentRecord(2, "b")])
    first, second = store.list(11)
    assert (first.conversion_service_id, first.simulator_parameters) == ("c", (("x", "1"),))
    assert (second.conversion_service_id, second.simulator_parameters) == (None, ())
    store.update(11, 2, simulator_parameters=(("target", "net"),))
    got = store.get(11, 2)
    assert got is not None and got.simulator_parameters == (("target", "net"),)
    created = store.create(11, first)
    assert created.id == 3 and created.conversion_service_id == "c"


def test_projects_public_and_copies(store: SQLExperimentStore) -> None:
    assert store.project_info(12) is None
    store.save_project(12, name="twelve", is_public=True)
    assert store.project_info(12) == StoredProject(12, "twelve", is_public=True)
    assert store.copies() == ()
    new_id = store.new_project_id([12, 40])
    assert new_id >= FIRST_STORED_ID
    store.save_project(new_id, name="copy", base="demo", active_experiment_id=3)
    (copy,) = store.copies()
    assert (copy.id, copy.base, copy.active_experiment_id) == (new_id, "demo", 3)
    assert store.new_project_id() == new_id + 1
