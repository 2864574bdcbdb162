"""GET /currentuser: who the request's session logs in, as Java's UserResource answered it.

Java returned its IUser (login, name, user group with privileges); the 0.3.8 dashboard falls
back to "Guest" when there is no `name`. Here: the account, the logged-out guest (no `name`,
`loggedIn: false`), or in single-user mode the one user.
"""

from __future__ import annotations

import json
from typing import Any

from tornado.web import RequestHandler

from geppetto_dev.application import GeppettoApp
from geppetto_dev.projects.viewer import Viewer
from geppetto_dev.server.identity import viewer_of_request

__all__ = ["CurrentUserHandler", "current_user_json"]


def current_user_json(viewer: Viewer) -> dict[str, Any]:
    name = viewer.role or ("guest" if not viewer.logged_in else "single user")
    group = {"name": name, "privileges": list(viewer.privileges)}
    if not viewer.logged_in:
        return {"id": None, "login": None, "loggedIn": False, "userGroup": group}
    return {
        "id": viewer.user_id,
        "login": viewer.name,
        "name": viewer.name,
        "loggedIn": True,
        "userGroup": group,
    }


class CurrentUserHandler(RequestHandler):
    def initialize(self, app: GeppettoApp) -> None:
        self.app = app

    async def get(self) -> None:
        viewer = await viewer_of_request(self.app, self.request)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(current_user_json(viewer)))
