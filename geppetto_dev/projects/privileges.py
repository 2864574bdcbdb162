"""Which privilege each message needs, checked in one place before its handler runs.

As the Java server's manager checked a privilege at the top of every operation, the table
`REQUIRED` names, for every message type the default handlers answer (and every type of the
Java protocol, answered or not), what a connection's viewer must hold: a privilege, and for an
operation that changes a loaded project, that the project is theirs to change (see
ownership.py). A handler for a type in the table is checked whoever wrote it: a project's own
handler replacing a default is checked the same. A type not in the table (a project's own
message) needs nothing here; its handler may check `viewer_of(conn)` itself.

A refusal is an info_message the client shows (or nothing, for a message the client sends on
its own), and a line in the log.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geppetto_dev.projects.connection import state_of
from geppetto_dev.projects.ownership import may_change
from geppetto_dev.projects.project import as_id
from geppetto_dev.projects.viewer import (
    DOWNLOAD,
    READ_PROJECT,
    RUN_EXPERIMENT,
    WRITE_PROJECT,
    Viewer,
    viewer_of,
)
from geppetto_dev.protocol import messages
from geppetto_dev.protocol.registry import Handler, Registry, Reply

__all__ = ["REQUIRED", "GuardedRegistry", "Need", "refusal"]

log = logging.getLogger("geppetto_dev.access")


@dataclass(frozen=True)
class Need:
    """What a message needs: `privilege` (None: nothing), and with `owner`, that the project
    named by its `projectId` is the viewer's to change. `action` completes "may not ..."."""

    privilege: str | None
    action: str
    owner: bool = False
    # Sent by the client on its own (polls, view changes): refused without a dialog.
    quiet: bool = False


def _anyone(action: str) -> Need:
    return Need(None, action)


def _read(action: str, *, quiet: bool = False) -> Need:
    return Need(READ_PROJECT, action, quiet=quiet)


def _write(action: str, *, quiet: bool = False) -> Need:
    return Need(WRITE_PROJECT, action, owner=True, quiet=quiet)


REQUIRED: dict[str, Need] = {
    # The protocol itself.
    "geppetto_version": _anyone("ask the server's version"),
    "user_privileges": _anyone("ask for their privileges"),
    "notify_user": _anyone("notify"),
    "reconnect": _anyone("reconnect"),
    # Reading projects and their models.
    "load_project_from_id": _read("load projects"),
    "load_project_from_url": _read("load projects"),
    "load_project_from_content": _read("load projects"),
    "load_experiment": _read("load experiments"),
    "get_experiment_state": _read("play experiments"),
    "experiment_status": _read("see experiment status", quiet=True),
    "get_supported_outputs": _read("list download formats", quiet=True),
    "get_watch": _read("list watched variables"),
    "get_script": _read("read experiment scripts"),
    "resolve_import_type": _read("resolve model types"),
    "resolve_import_value": _read("resolve model values"),
    "fetch_variable": _read("fetch variables"),
    "fetch": _read("fetch variables"),
    "get_data_source_results": _read("query data sources"),
    "run_query": _read("run queries"),
    "run_query_count": _read("run queries"),
    # Changing a project: the application's (with the privilege) or the viewer's own.
    "new_experiment": _write("create experiments"),
    "new_experiment_batch": _write("create experiments"),
    "clone_experiment": _write("clone experiments"),
    "delete_experiment": _write("delete experiments"),
    "save_experiment_properties": _write("change experiments"),
    "save_project_properties": _write("change projects"),
    "set_parameters": _write("set parameters"),
    "set_watched_variables": _write("choose what experiments record"),
    "clear_watch": _write("choose what experiments record"),
    "set_experiment_view": _write("save views", quiet=True),
    "make_project_public": _write("share projects"),
    # A copy of any project the viewer may read becomes theirs.
    "persist_project": Need(WRITE_PROJECT, "save projects"),
    "run_experiment": Need(RUN_EXPERIMENT, "run experiments", owner=True),
    "stop_experiment": Need(RUN_EXPERIMENT, "stop experiments", owner=True),
    "download_model": Need(DOWNLOAD, "download models"),
    "download_project": Need(DOWNLOAD, "download projects"),
    "download_results": Need(DOWNLOAD, "download results"),
    # Java asked DROPBOX_INTEGRATION; here the application's upload store stands in for
    # Dropbox (the privilege only makes the client offer it): writing there is writing.
    "link_dropbox": Need(WRITE_PROJECT, "link an upload store"),
    "unlink_dropbox": Need(WRITE_PROJECT, "unlink an upload store"),
    "get_dropbox_token": Need(WRITE_PROJECT, "use an upload store"),
    "upload_model": Need(WRITE_PROJECT, "upload models"),
    "upload_results": Need(WRITE_PROJECT, "upload results"),
}


def refusal(conn: Any, kind: str, need: Need, data: Any) -> str | None:
    """Why `conn`'s viewer may not send `kind` with `data` now, or None if they may."""
    viewer = viewer_of(conn)
    if need.privilege is not None and not viewer.can(need.privilege):
        return _lacks(viewer, need)
    if need.owner and isinstance(data, dict):
        loaded = state_of(conn).loaded(as_id(data.get("projectId")))
        runtime = loaded.runtime if loaded is not None else None
        if runtime is not None and not may_change(
            viewer, owned=runtime.owned, owner_id=runtime.owner_id
        ):
            return (
                f"project {runtime.name!r} belongs to another user: {viewer.name} may not "
                f"{need.action} in it (persist_project saves a copy of your own)"
            )
    return None


def _lacks(viewer: Viewer, need: Need) -> str:
    if viewer.accounts and not viewer.logged_in:
        return f"Log in to {need.action} (it needs the {need.privilege} privilege)."
    return f"{viewer.name} may not {need.action}: it needs the {need.privilege} privilege."


def _answer(conn: Any, kind: str, need: Need, why: str) -> Reply | None:
    viewer = viewer_of(conn)
    log.log(
        logging.DEBUG if need.quiet else logging.WARNING,
        "refused %s from %s: %s",
        kind,
        viewer.describe(),
        why,
    )
    if need.quiet:
        return None
    return Reply(messages.INFO_MESSAGE, messages.info_message(why))


def checked(kind: str, func: Handler, need: Need) -> Handler:
    """`func`, answering only viewers that hold what `need` says (sync stays sync)."""
    if inspect.iscoroutinefunction(func):

        async def check_async(conn: Any, data: Any) -> Any:
            why = refusal(conn, kind, need, data)
            if why is not None:
                return _answer(conn, kind, need, why)
            return await func(conn, data)

        return functools.wraps(func)(check_async)

    def check(conn: Any, data: Any) -> Any:
        why = refusal(conn, kind, need, data)
        if why is not None:
            return _answer(conn, kind, need, why)
        return func(conn, data)

    return functools.wraps(func)(check)


class GuardedRegistry(Registry):
    """A Registry whose handlers for the types in `needs` are checked before they run, the
    defaults and any handler that replaces one alike."""

    def __init__(self, needs: Mapping[str, Need] = REQUIRED) -> None:
        super().__init__()
        self.needs = dict(needs)
        self._checked: dict[tuple[str, Handler], Handler] = {}

    def get(self, kind: str) -> Handler | None:
        func = super().get(kind)
        need = self.needs.get(kind)
        if func is None or need is None:
            return func
        key = (kind, func)
        found = self._checked.get(key)
        if found is None:
            found = self._checked[key] = checked(kind, func, need)
        return found
