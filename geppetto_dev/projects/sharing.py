"""Saving a project for a user and sharing it: persist_project and make_project_public.

`persist_project` stores a copy of the loaded project, with its experiments in DESIGN, owned
by the user who asked (a project loaded from JSON content becomes a real one, as in Java; in
accounts mode, a copy of an application project or of another user's public project is one a
user may change). The connection goes on with the copy under its new id, as the client
expects. `make_project_public` shares a saved project with everyone, or stops sharing it: its
owner's and the admins' decision (privileges.py checks that).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from geppetto_dev.projects.connection import LoadedProject, state_of
from geppetto_dev.projects.conversation import info, loaded_project, obj
from geppetto_dev.projects.services import services_of
from geppetto_dev.projects.viewer import viewer_of
from geppetto_dev.protocol.registry import Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = ["make_project_public", "persist_project"]

log = logging.getLogger("geppetto_dev.projects")


@handler("persist_project")
def persist_project(conn: Session, data: Any) -> Reply:
    loaded = loaded_project(conn, data)
    runtime = loaded.runtime
    viewer = viewer_of(conn)
    if not runtime.volatile:
        theirs = runtime.owned and viewer.owns(runtime.owner_id)
        if theirs or not viewer.accounts:
            raise info(f"project {runtime.name!r} is persisted already")
    services = services_of(conn)
    copy = services.save_copy(runtime, viewer)
    records = copy.records()
    state_of(conn).replace(runtime.id, LoadedProject(copy, loaded.model), records)
    log.info(
        "%s saved project %r (%s) as project %s",
        viewer.describe(),
        runtime.name,
        runtime.id,
        copy.id,
    )
    active = copy.to_json(records)["activeExperimentId"]
    payload = {"projectID": copy.id, "activeExperimentID": active}
    return Reply("project_persisted", {"update": json.dumps(payload)})


@handler("make_project_public")
def make_project_public(conn: Session, data: Any) -> Reply:
    runtime = loaded_project(conn, data).runtime
    wanted = obj(data).get("isPublic", True)
    if not isinstance(wanted, bool):
        raise ValueError(f"isPublic must be true or false, got {wanted!r}")
    if runtime.volatile:
        raise info(f"project {runtime.name!r} is not saved: persist it first, then share it")
    if not runtime.owned:
        raise info(
            f"project {runtime.name!r} is one of the application's: everyone who may read "
            "projects sees it already"
        )
    services_of(conn).access.set_public(runtime.id, wanted)
    runtime.public = wanted
    log.info(
        "%s made project %s %s",
        viewer_of(conn).describe(),
        runtime.id,
        "public" if wanted else "private",
    )
    payload = {"id": str(runtime.id), "isPublic": wanted}
    return Reply("project_made_public", {"update": json.dumps(payload)})
