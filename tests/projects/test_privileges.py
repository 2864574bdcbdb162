"""The privilege each message needs, from one table, checked before any handler runs: the
defaults, a project's own replacement and async handlers alike. In-process (TestClient), with
viewers standing for a logged-out guest and for users of various privileges."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev import GeppettoApp, Registry, Reply, Settings, TestClient
from geppetto_dev.accounts import AccountStore, viewer_of_account
from geppetto_dev.accounts.passwords import hash_password
from geppetto_dev.accounts.roles import GUEST_PRIVILEGES, ROLES
from geppetto_dev.projects.defaults import default_handlers
from geppetto_dev.projects.privileges import REQUIRED
from geppetto_dev.projects.viewer import Viewer
from tests.projects.conftest import RUN_GATE, TINY_ID
from tests.projects.test_conversation_inprocess import InlineExecutor, tiny_project

GUEST = Viewer("Guest", GUEST_PRIVILEGES, logged_in=False, accounts=True, address="192.0.2.7")
VIEWER = Viewer("vera", ROLES["viewer"], user_id=7, accounts=True)
MEMBER = Viewer("mia", ROLES["user"], user_id=8, accounts=True)

# Every message type of the Java server (InboundMessages.java, 0.3.8; unlink_dropbox as clients
# spell it) and of newer clients.
JAVA_TYPES = """geppetto_version user_privileges notify_user get_script get_data_source_results
load_project_from_url load_project_from_id load_project_from_content save_project_properties
persist_project make_project_public download_project new_experiment new_experiment_batch
clone_experiment load_experiment save_experiment_properties delete_experiment
get_experiment_state experiment_status run_experiment set_watched_variables get_watch clear_watch
set_parameters set_experiment_view link_dropbox unlink_dropbox upload_model upload_results
get_supported_outputs download_model download_results fetch_variable resolve_import_type
resolve_import_value run_query run_query_count fetch reconnect get_dropbox_token""".split()  # noqa: SIM905


def test_every_default_handler_has_an_entry_in_the_table() -> None:
    missing = sorted(set(default_handlers().message_types()) - set(REQUIRED))
    assert not missing, f"add to REQUIRED (projects/privileges.py): {missing}"


def test_every_java_message_type_has_an_entry_handled_or_not() -> None:
    assert len(JAVA_TYPES) == 41
    assert not sorted(set(JAVA_TYPES) - set(REQUIRED))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[GeppettoApp]:
    RUN_GATE.set()
    settings = Settings(project_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/db.sqlite3")
    with GeppettoApp(settings, projects=[tiny_project()], executor=InlineExecutor()) as app:
        yield app


def kinds(messages: list[Any]) -> list[str]:
    return [m["type"] if isinstance(m, dict) else "file" for m in messages]


def said(reply: dict[str, Any]) -> str:
    """The text of an info_message (its `message` is JSON again)."""
    assert reply["type"] == "info_message", reply
    text: str = json.loads(reply["data"]["message"])
    return text


def test_a_guest_reads_a_project_but_changes_and_runs_nothing(
    app: GeppettoApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "geppetto_dev.access")
    with app.test_client(GUEST) as guest:
        handshake = guest.messages[1]["data"]["user_privileges"]
        assert '"loggedIn": false' in handshake and '"READ_PROJECT"' in handshake
        assert len(guest.ask("load_project_from_id", {"projectId": TINY_ID})) == 4
        (status,) = guest.ask("experiment_status", str(TINY_ID))
        assert status["type"] == "experiment_status"
        for kind, data in [
            ("run_experiment", {"projectId": TINY_ID, "experimentId": 1}),
            ("new_experiment", {"projectId": TINY_ID}),
            ("set_parameters", {"projectId": TINY_ID, "experimentId": 1, "modelParameters": {}}),
            ("persist_project", {"projectId": TINY_ID}),
            ("download_model", {"projectId": TINY_ID, "format": "JSON"}),
        ]:
            (reply,) = guest.ask(kind, data)
            assert said(reply).startswith("Log in to "), (kind, reply)
        # Sent by the client on its own: refused without a dialog.
        assert guest.ask("set_experiment_view", {"projectId": TINY_ID, "view": "{}"}) == []
    assert app.services.projects.store.get(TINY_ID, 1).status == "DESIGN"  # nothing ran
    assert "refused run_experiment from Guest (192.0.2.7): Log in to run experiments" in caplog.text


def test_a_viewer_downloads_but_does_not_run(app: GeppettoApp) -> None:
    with app.test_client(VIEWER) as vera:
        vera.ask("load_project_from_id", {"projectId": TINY_ID})
        downloaded = vera.ask("download_model", {"projectId": TINY_ID, "format": "JSON"})
        assert kinds(downloaded) == ["file", "download_model"]
        (reply,) = vera.ask("run_experiment", {"projectId": TINY_ID, "experimentId": 1})
        assert said(reply) == "vera may not run experiments: it needs the RUN_EXPERIMENT privilege."


def test_a_user_with_the_privileges_runs_and_the_run_is_theirs(app: GeppettoApp) -> None:
    account = AccountStore(app.services.store.db).add("mia", "user", hash_password("x" * 8))
    with app.test_client(viewer_of_account(account)) as mia:
        mia.ask("load_project_from_id", {"projectId": TINY_ID})
        assert mia.ask("run_experiment", {"projectId": TINY_ID, "experimentId": 1}) == []
        assert mia.ask("new_experiment", {"projectId": TINY_ID})[0]["type"] == "experiment_created"
    (run,) = app.services.projects.ownership.runs(TINY_ID, 1)
    assert (run.user_id, run.user_name, run.run) == (account.id, "mia", 1)


def test_single_user_privileges_come_from_the_settings_and_are_enforced(tmp_path: Path) -> None:
    settings = Settings(
        project_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/db.sqlite3",
        privileges=("READ_PROJECT",),
    )
    with GeppettoApp(settings, projects=[tiny_project()]) as app, app.test_client() as client:
        client.ask("load_project_from_id", {"projectId": TINY_ID})
        (reply,) = client.ask("run_experiment", {"projectId": TINY_ID, "experimentId": 1})
        assert said(reply) == (
            "Python User may not run experiments: it needs the RUN_EXPERIMENT privilege."
        )


def test_a_projects_own_handler_for_a_checked_type_is_checked_too(tmp_path: Path) -> None:
    called: list[str] = []
    mine = Registry()

    @mine.handler("run_experiment")
    def run_mine(conn: Any, data: Any) -> Reply:
        called.append("sync")
        return Reply("info_message", {"message": json.dumps("ran")})

    @mine.handler("download_model")
    async def download_mine(conn: Any, data: Any) -> Reply:
        await asyncio.sleep(0)
        called.append("async")
        return Reply("info_message", {"message": json.dumps("downloaded")})

    @mine.handler("my_own_type")
    def own(conn: Any, data: Any) -> dict[str, Any]:
        return {"ok": True}

    settings = Settings(project_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/db.sqlite3")
    app = GeppettoApp(settings, handlers=mine, projects=[tiny_project()])
    with app, app.test_client(GUEST) as guest, app.test_client(MEMBER) as mia:
        for client in (guest, mia):
            (ran,) = client.ask("run_experiment", {"projectId": TINY_ID, "experimentId": 1})
            (got,) = client.ask("download_model", {"projectId": TINY_ID})
            assert client.ask("my_own_type", {})[0]["data"] == {"ok": True}  # not in the table
        assert said(ran) == "ran" and said(got) == "downloaded"
    assert called == ["sync", "async"]  # for mia only


def test_the_table_is_the_one_place_a_type_gets_its_privilege(
    app: GeppettoApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new type is one line: give load_experiment a privilege a user lacks, and it is refused."""
    from geppetto_dev.projects.privileges import Need

    monkeypatch.setitem(app.handlers.needs, "load_experiment", Need("ADMIN", "load experiments"))  # type: ignore[attr-defined]
    with app.test_client(MEMBER) as mia:
        mia.ask("load_project_from_id", {"projectId": TINY_ID})
        (reply,) = mia.ask("load_experiment", {"projectId": TINY_ID, "experimentId": 1})
        assert "needs the ADMIN privilege" in said(reply)


def test_client(app: GeppettoApp) -> None:
    """The default TestClient is the single user, with every default privilege."""
    with app.test_client() as client:
        assert isinstance(client, TestClient)
        client.ask("load_project_from_id", {"projectId": TINY_ID})
        assert client.ask("run_experiment", {"projectId": TINY_ID, "experimentId": 1}) == []
