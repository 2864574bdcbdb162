"""The SQL ExperimentStore on real databases: what the handlers and runs rely on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from geppetto_dev import model as gm
from geppetto_dev.executors import LocalExecutor
from geppetto_dev.projects.records import ExperimentRecord
from geppetto_dev.projects.runs import ExperimentRunner
from geppetto_dev.storage import database
from geppetto_dev.storage.experiment_store import SQLExperimentStore
from geppetto_dev.storage.schema import ServerRow
from tests.executors import jobs

SEED = [
    ExperimentRecord(1, "first", watched=("cell.v",), parameters=(("g", 0.5),)),
    ExperimentRecord(2, "second"),
]


@pytest.fixture
def store(database_url: str) -> Iterator[SQLExperimentStore]:
    store = SQLExperimentStore(database(database_url))
    store.start()
    yield store
    store.stop()


def test_seed_list_get_update(store: SQLExperimentStore) -> None:
    store.seed(7, SEED)
    store.seed(7, SEED)  # again: nothing added
    assert [r.id for r in store.list(7)] == [1, 2]
    first = store.get(7, 1)
    assert first is not None
    assert first.watched == ("cell.v",) and first.parameters == (("g", 0.5),)
    assert first.status == "DESIGN" and first.results is None
    updated = store.update(7, 1, name="renamed", watched=("cell.v", "cell.i"))
    assert updated.name == "renamed" and updated.watched == ("cell.v", "cell.i")
    unchanged = store.update(7, 1, if_status="RUNNING", name="nope")
    assert unchanged.name == "renamed"
    with pytest.raises(KeyError):
        store.update(7, 99, name="x")


def test_results_round_trip(store: SQLExperimentStore) -> None:
    store.seed(7, SEED)
    store.update(7, 1, status="QUEUED", run=1)
    series = {"cell.v": gm.TimeSeries([1.0, 2.5], "mV"), "time": gm.TimeSeries([0.0, 0.1], "s")}
    store.update(7, 1, status="COMPLETED", results=series)
    record = store.get(7, 1)
    assert record is not None and record.results is not None
    assert list(record.results) == ["cell.v", "time"]
    assert record.results["cell.v"].value == [1.0, 2.5]
    assert record.results["cell.v"].unit == "mV"
    store.update(7, 1, status="COMPLETED", results={"cell.v": [3.0]})  # a second run replaces
    again = store.get(7, 1)
    assert again is not None and again.results is not None and list(again.results) == ["cell.v"]


def test_deleted_ids_are_never_reused_nor_seeded_back(store: SQLExperimentStore) -> None:
    store.seed(7, SEED)
    assert store.delete(7, 2) is not None
    assert store.delete(7, 2) is None
    store.seed(7, SEED)
    assert [r.id for r in store.list(7)] == [1]
    created = store.create(7, ExperimentRecord(0, "new one", description="d"))
    assert created.id == 3 and created.status == "DESIGN" and created.description == "d"


def test_runs_of_a_dead_server_become_error(database_url: str) -> None:
    db = database(database_url)
    live = SQLExperimentStore(db)
    live.start()
    live.seed(7, SEED)
    live.update(7, 1, status="RUNNING", run=1)
    # A server that was SIGKILLed on this machine: its row stays, its process is gone.
    dead = SQLExperimentStore(db, server_id="dead-server")
    with db.write() as session:
        session.add(ServerRow(id="dead-server", host=_host(), pid=_dead_pid(), started_at=0,
                              heartbeat=int(time.time() * 1000)))  # fmt: skip
    dead.update(7, 2, status="QUEUED", run=1)
    restarted = SQLExperimentStore(db)
    assert restarted.start() == 1
    statuses = {r.id: (r.status, r.error) for r in restarted.list(7)}
    assert statuses[1] == ("RUNNING", None)  # its server is alive
    assert statuses[2][0] == "ERROR" and "stopped" in (statuses[2][1] or "")
    assert live.stop() == 1  # a clean stop fails its own runs too
    assert restarted.get(7, 1).status == "ERROR"  # type: ignore[union-attr]
    restarted.stop()


def test_a_run_through_the_runner_lands_in_the_database(store: SQLExperimentStore) -> None:
    store.seed(7, SEED)
    executor = LocalExecutor(1)
    done: Future[ExperimentRecord] = Future()
    try:
        runner = ExperimentRunner(executor)
        queued = runner.submit(
            store, 7, 1, jobs.simulate, dict, lambda record, error: done.set_result(record)
        )
        assert queued.status == "QUEUED" and queued.run == 1
        final = done.result(timeout=60)
    finally:
        executor.shutdown()
    assert final.status == "COMPLETED"
    stored = store.get(7, 1)
    assert stored is not None and stored.results is not None
    assert stored.results["cell.v"].value == [0.0, 1.0, 2.0, 3.0, 4.0]


def _host() -> str:
    import socket

    return socket.gethostname()


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
