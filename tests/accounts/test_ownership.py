"""Projects belong to users: a saved copy is private to its owner until made public, then
read-only for others; admins change any; runs are attributed. On SQLite and PostgreSQL, with
the conversation held in-process by real users' connections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev import GeppettoApp, Settings, TestClient
from geppetto_dev.accounts import Account, AccountStore, viewer_of_account
from geppetto_dev.storage import database
from tests.projects.conftest import RUN_GATE, TINY_ID
from tests.projects.test_conversation_inprocess import InlineExecutor, tiny_project


@pytest.fixture
def app(database_url: str, users: dict[str, Account], tmp_path: Path) -> Iterator[GeppettoApp]:
    RUN_GATE.set()
    settings = Settings(project_dir=tmp_path, database_url=database_url, accounts=True)
    app = GeppettoApp(settings, projects=[tiny_project()], executor=InlineExecutor())
    with app:
        yield app


def client(app: GeppettoApp, account: Account | None) -> TestClient:
    return app.test_client(viewer_of_account(account, "127.0.0.1"))


def data(reply: dict[str, Any], key: str | None = None) -> Any:
    value = reply["data"][key or reply["type"]]
    return json.loads(value) if isinstance(value, str) else value


def listed(app: GeppettoApp, account: Account | None) -> list[int]:
    viewer = viewer_of_account(account)
    return [p["id"] for p in app.services.projects.project_list(viewer)]


def save_copy(c: TestClient) -> int:
    c.ask("load_project_from_id", {"projectId": TINY_ID})
    (persisted,) = c.ask("persist_project", {"projectId": TINY_ID})
    assert persisted["type"] == "project_persisted", persisted
    saved = data(persisted, "update")
    assert saved["activeExperimentID"] == 1
    return int(saved["projectID"])


def test_a_saved_copy_is_its_owners_alone(app: GeppettoApp, users: dict[str, Account]) -> None:
    with client(app, users["alice"]) as alice, client(app, users["bob"]) as bob:
        copy = save_copy(alice)
        assert copy != TINY_ID
        # The connection goes on with the copy: its experiments are alice's to change and run.
        (created,) = alice.ask("new_experiment", {"projectId": copy})
        assert created["type"] == "experiment_created"
        assert alice.ask("run_experiment", {"projectId": copy, "experimentId": 1}) == []
        # bob: not by id (answered as an unknown id), not in the list.
        (refused,) = bob.ask("load_project_from_id", {"projectId": copy})
        (unknown,) = bob.ask("load_project_from_id", {"projectId": 123456789})
        assert refused["type"] == "error_loading_project"
        assert refused["data"]["message"].replace(str(copy), "N") == unknown["data"][
            "message"
        ].replace("123456789", "N")
    assert listed(app, users["alice"]) == [TINY_ID, copy]
    assert listed(app, users["bob"]) == [TINY_ID]
    assert listed(app, None) == [TINY_ID]
    assert listed(app, users["root"]) == [TINY_ID, copy]  # an admin sees every project
    (run,) = app.services.projects.ownership.runs(copy, 1)
    assert (run.user_id, run.user_name) == (users["alice"].id, "alice")


def test_a_public_copy_is_read_only_for_others(app: GeppettoApp, users: dict[str, Account]) -> None:
    with client(app, users["alice"]) as alice:
        copy = save_copy(alice)
        (public,) = alice.ask("make_project_public", {"projectId": copy, "isPublic": True})
        assert data(public, "update") == {"id": str(copy), "isPublic": True}
    with client(app, users["bob"]) as bob, client(app, None) as guest:
        for viewer in (bob, guest):
            loaded = viewer.ask("load_project_from_id", {"projectId": copy})
            project = data(loaded[0])
            assert project["isReadOnly"] is True and project["project"]["isPublic"] is True
        for kind, extra in [
            ("new_experiment", {}),
            ("run_experiment", {"experimentId": 1}),
            ("make_project_public", {"isPublic": False}),
        ]:
            (reply,) = bob.ask(kind, {"projectId": copy, **extra})
            assert "belongs to another user" in data(reply, "message"), (kind, reply)
        # A copy of someone else's public project is bob's own.
        (persisted,) = bob.ask("persist_project", {"projectId": copy})
        bobs = int(data(persisted, "update")["projectID"])
        (created,) = bob.ask("new_experiment", {"projectId": bobs})
        assert created["type"] == "experiment_created"
    assert listed(app, users["bob"]) == [TINY_ID, *sorted([copy, bobs])]  # saved ones by id
    assert listed(app, None) == [TINY_ID, copy]
    with client(app, users["root"]) as root:
        root.ask("load_project_from_id", {"projectId": copy})
        (created,) = root.ask("new_experiment", {"projectId": copy})  # admins change any
        assert created["type"] == "experiment_created"
        (private,) = root.ask("make_project_public", {"projectId": copy, "isPublic": False})
        assert data(private, "update")["isPublic"] is False
    assert listed(app, users["bob"]) == [TINY_ID, bobs]


def test_a_volatile_project_persists_as_the_users(
    app: GeppettoApp, users: dict[str, Account]
) -> None:
    content = {"name": "my copy", "geppettoModel": {"url": "tiny"}, "experiments": []}
    with client(app, users["alice"]) as alice:
        loaded = alice.ask("load_project_from_content", json.dumps(content))
        volatile = data(loaded[0])["project"]["id"]
        (persisted,) = alice.ask("persist_project", {"projectId": volatile})
        copy = int(data(persisted, "update")["projectID"])
        (again,) = alice.ask("persist_project", {"projectId": copy})  # hers: no new copy
        assert int(data(again, "update")["projectID"]) == copy
    assert app.services.projects.store.project_name(copy) == "my copy"


def test_a_removed_users_projects_stay_with_the_admins(
    app: GeppettoApp, users: dict[str, Account], database_url: str
) -> None:
    with client(app, users["alice"]) as alice:
        copy = save_copy(alice)
        alice.ask("run_experiment", {"projectId": copy, "experimentId": 1})
    AccountStore(database(database_url)).remove("alice")
    assert app.services.projects.ownership.owner_of(copy) is None
    assert listed(app, users["bob"]) == [TINY_ID]
    assert listed(app, users["root"]) == [TINY_ID, copy]
    (run,) = app.services.projects.ownership.runs(copy, 1)
    assert (run.user_id, run.user_name) == (None, "alice")
