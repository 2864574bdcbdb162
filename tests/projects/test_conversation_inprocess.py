"""The project conversation held in-process: a real Session of a real application, fake frames
(the TestClient's list) and an executor that runs each job inline, so no thread or process
pool is involved and every status change is observed in order."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pytest

from geppetto_dev import GeppettoApp, Project, Settings, TestClient
from tests.projects.conftest import RUN_GATE, TINY_ID, build_tiny, download, fetch, resolve, run

P = ParamSpec("P")
T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs each job when it is submitted, in the caller's thread."""

    def __init__(self) -> None:
        self.jobs: list[str] = []

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()
        self.jobs.append(getattr(fn, "__name__", repr(fn)))
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def tiny_project() -> Project:
    from geppetto_dev import Experiment, project

    item = project(
        id=TINY_ID,
        name="tiny",
        experiments=[
            Experiment(1, "Run", watched=["pop[0].v"]),
            Experiment(2, "Fails", watched=["pop[0].v"], parameters={"fail": 1.0}),
        ],
    )(build_tiny)
    item.resolve_type(resolve)
    item.fetch_variable(fetch)
    item.run(run)
    item.download("JSON")(download)
    return item


@pytest.fixture
def executor() -> InlineExecutor:
    return InlineExecutor()


@pytest.fixture
def client(tmp_path: Path, executor: InlineExecutor) -> Iterator[TestClient]:
    RUN_GATE.set()  # the tiny project's run hook waits for it
    settings = Settings(project_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/db.sqlite3")
    app = GeppettoApp(settings, projects=[tiny_project()], executor=executor)
    with app, app.test_client() as client:
        yield client


def types(messages: list[Any]) -> list[str]:
    return [m["type"] if isinstance(m, dict) else "file" for m in messages]


def test_the_handshake_comes_first(client: TestClient) -> None:
    assert types(client.messages[:2]) == ["client_id", "user_privileges"]


def test_load_resolve_fetch_and_download(client: TestClient) -> None:
    loaded = client.ask("load_project_from_id", {"projectId": TINY_ID}, request_id="L")
    assert types(loaded) == [
        "project_loaded",
        "geppetto_model_loaded",
        "experiment_loading",
        "experiment_loaded",
    ]
    assert {m["requestID"] for m in loaded} == {"L"}
    resolved = client.ask("resolve_import_type", {"projectId": TINY_ID, "paths": ["tiny.lazy"]})
    assert types(resolved) == ["import_type_resolved"]
    fetched = client.ask(
        "fetch_variable", {"projectId": TINY_ID, "variableId": "note", "dataSourceId": "d"}
    )
    assert types(fetched) == ["variable_fetched"]
    downloaded = client.ask("download_model", {"projectId": TINY_ID, "format": "JSON"})
    assert downloaded[0] == ("tiny.json", downloaded[0][1]) and types(downloaded)[1:] == [
        "download_model"
    ]


def test_a_run_on_the_executor_completes_and_its_state_plays(
    client: TestClient, executor: InlineExecutor
) -> None:
    client.ask("load_project_from_id", {"projectId": TINY_ID})
    assert client.ask("run_experiment", {"projectId": TINY_ID, "experimentId": 1}) == []
    assert executor.jobs == ["run_controlled"]  # the hook, in a process a stop can kill
    told = [
        json.loads(client.ask("experiment_status", str(TINY_ID))[0]["data"]["update"])[0]["status"]
        for _ in range(2)
    ]
    assert told == ["RUNNING", "COMPLETED"]  # RUNNING told once before the outcome
    (state,) = client.ask("get_experiment_state", {"projectId": TINY_ID, "experimentId": 1})
    recorded = json.loads(state["data"]["update"])["recordedVariables"]
    paths = [r["pointer"]["path"] for r in recorded]
    assert paths == ["time", "pop[0].v"]


def test_a_failed_run_is_reported_to_the_connection_that_ran_it(client: TestClient) -> None:
    client.ask("load_project_from_id", {"projectId": TINY_ID})
    before = len(client.messages)
    client.ask("run_experiment", {"projectId": TINY_ID, "experimentId": 2})
    pushed = [m for m in client.messages[before:] if isinstance(m, dict)]
    assert types(pushed) == ["error_running_experiment"]
    detail = json.loads(pushed[0]["data"]["error_running_experiment"])
    assert "the simulator blew up" in detail["message"]


def test_an_unknown_project_lists_the_applications_own(client: TestClient) -> None:
    (reply,) = client.ask("load_project_from_id", {"projectId": 4242})
    assert reply["type"] == "error_loading_project"
    assert f"{TINY_ID} (tiny)" in reply["data"]["message"]
