"""The Tornado-Flask template's example app: the People API, kept in memory, and the demo project.

Serve it with `geppetto-dev serve --app geppetto_dev.example:app`. `geppetto-dev init` makes a
starter project whose People API is stored in SQLite instead.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from flask import Flask, request
from flask_restful import Api, Resource

from geppetto_dev.projects import demo

__all__ = ["app", "create_app", "demo_project"]

FIELDS = ("name", "surname", "occupation")


class People(Resource):  # type: ignore[misc]
    _people: ClassVar[list[dict[str, str]]] = []
    _lock = threading.Lock()

    def get(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._people)

    def post(self) -> tuple[dict[str, Any], int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return {"message": "the body must be a JSON object"}, 400
        missing = [f for f in FIELDS if not isinstance(body.get(f), str) or not body[f].strip()]
        if missing:
            return {"message": f"missing or empty fields: {', '.join(missing)}"}, 400
        person = {f: body[f].strip() for f in FIELDS}
        with self._lock:
            self._people.append(person)
        return person, 201


def create_app() -> Flask:
    flask_app = Flask(__name__)
    Api(flask_app).add_resource(People, "/api/people")
    return flask_app


app = create_app()


# The demo project (id 1, "demo"), collected from this module like a project package's:
# open / (or /?load_project_from_id=1) in the Geppetto page.
demo_project = demo.demo_project()
