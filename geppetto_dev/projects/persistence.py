"""A project as a whole: persist one loaded from JSON content, make one public, download one.

`persist_project` on a volatile project stores it as a project of its own, with a new id
(`project_persisted` tells the client, which then treats it as persisted): its experiments go
to the application's experiment store, over the model of the registered project it was loaded
over, and it loads by that id after a restart. It belongs to the user who saved it (see
ownership.py); in accounts mode, saving a project that is not theirs (a registered one, or
another user's public copy) stores a copy of their own the same way. `download_project` sends
the zip Java's `downloadProject` sent: the project JSON, its XMI model, the model files it
names and the scripts (project_zip.py).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from geppetto_dev.projects import project_zip as zips
from geppetto_dev.projects.connection import LoadedProject, state_of
from geppetto_dev.projects.conversation import info, loaded_project, obj
from geppetto_dev.projects.editing import editable
from geppetto_dev.projects.services import services_of
from geppetto_dev.projects.viewer import viewer_of
from geppetto_dev.protocol.registry import Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = ["download_project", "make_project_public", "persist_project"]

log = logging.getLogger("geppetto_dev.projects")


@handler("persist_project")
def persist_project(conn: Session, data: Any) -> Reply:
    """`project_persisted` `{"update": {projectID, activeExperimentID}}`; a volatile project
    is stored first, under a new id."""
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    viewer = viewer_of(conn)
    theirs = runtime.owned and viewer.owns(runtime.owner_id)
    if runtime.volatile or (viewer.accounts and not theirs):
        runtime = services_of(conn).persist(runtime, owner_id=viewer.user_id)
        state = state_of(conn)
        with state.lock:
            state.projects.pop(loaded.runtime.id, None)
        state.add(LoadedProject(runtime, loaded.model), runtime.records())
        log.info(
            "%s saved project %r (%s) as project %s",
            viewer.describe(),
            runtime.name,
            loaded.runtime.id,
            runtime.id,
        )
    elif not runtime.persisted:
        raise info(f"project {runtime.name!r} is declared with persisted=False")
    active = runtime.to_json()["activeExperimentId"]
    payload = {"projectID": runtime.id, "activeExperimentID": active}
    return Reply("project_persisted", {"update": json.dumps(payload)})


def _flag(value: Any) -> bool:
    """Java's Boolean.parseBoolean: true, or the text "true" in any case."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


@handler("make_project_public")
def make_project_public(conn: Session, data: Any) -> Reply:
    """`project_made_public` `{"update": {id, isPublic}}`, kept in the experiment store."""
    runtime = loaded_project(conn, data).runtime
    editable(runtime, "making it public")
    viewer = viewer_of(conn)
    if viewer.accounts and not runtime.owned and not viewer.admin:
        raise info(
            f"project {runtime.name!r} is one of the application's: everyone who may read "
            "projects sees it already"
        )
    public = _flag(obj(data).get("isPublic"))
    runtime.store.save_project(runtime.id, is_public=public)
    runtime.is_public = public
    shared = "public" if public else "private"
    log.info("%s made project %s %s", viewer.describe(), runtime.id, shared)
    payload = {"id": str(runtime.id), "isPublic": public}
    return Reply("project_made_public", {"update": json.dumps(payload)})


@handler("download_project")
def download_project(conn: Session, data: Any) -> Reply:
    """A zip (file frame `project.zip`), then `download_project` `{"update": ""}`."""
    loaded = loaded_project(conn, data)
    services = services_of(conn)
    try:
        content = zips.project_zip(
            loaded, services.interpreters, services.reader.root, limit=zips.MAX_DOWNLOAD_BYTES
        )
    except zips.DownloadTooLarge as too_large:
        raise info(too_large.format()) from None
    log.info("%s downloaded project %s", viewer_of(conn).describe(), loaded.runtime.id)
    conn.send_file("project.zip", content)
    return Reply("download_project", {"update": ""})
