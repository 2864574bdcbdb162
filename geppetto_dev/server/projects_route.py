"""GET <page path>projects: the project list the 0.3.8 control panel asks for.

After every experiment load the client requests `location.pathname + "projects"` (under Java,
the project list at /org.geppetto.frontend/geppettoprojects, also answered here); without an
answer each load leaves a 404 in the console. The list is the requester's: the application's
projects and the saved ones that are public or theirs.
"""

from __future__ import annotations

import asyncio
import json

from tornado.web import RequestHandler

from geppetto_dev.application import GeppettoApp
from geppetto_dev.server.identity import viewer_of_request

__all__ = ["ProjectListHandler"]


class ProjectListHandler(RequestHandler):
    def initialize(self, app: GeppettoApp) -> None:
        self.app = app

    async def get(self) -> None:
        viewer = await viewer_of_request(self.app, self.request)
        projects = await asyncio.to_thread(lambda: self.app.services.projects.project_list(viewer))
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(projects))
