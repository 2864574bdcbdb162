"""register_resources / register_blueprints: a module dropped into a package goes live."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_restful import Api

from geppetto_dev.discovery import register_blueprints, register_resources

RESOURCE = """
from flask_restful import Resource


class {cls}(Resource):
    routes = {routes!r}

    def get(self):
        return {{"from": "{cls}"}}


class NoRoutes(Resource):
    def get(self):
        return {{}}
"""

BLUEPRINT = """
from flask import Blueprint

blueprint = Blueprint("{name}", __name__, url_prefix="/{name}")


@blueprint.get("")
def index():
    return "{name}"
"""


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh package `disco_pkg` with api/ and blueprints/ subpackages, importable."""
    root = tmp_path / "disco_pkg"
    for sub in ("api", "blueprints"):
        (root / sub).mkdir(parents=True)
        (root / sub / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root
    for name in [m for m in sys.modules if m == "disco_pkg" or m.startswith("disco_pkg.")]:
        del sys.modules[name]


def test_resources_with_routes_are_registered(package: Path) -> None:
    (package / "api" / "cells.py").write_text(RESOURCE.format(cls="Items", routes=("/api/cells",)))
    (package / "api" / "other.py").write_text(RESOURCE.format(cls="Items", routes="/api/other"))
    app = Flask(__name__)
    added = register_resources(Api(app), "disco_pkg.api")
    assert sorted(cls.__module__ for cls in added) == ["disco_pkg.api.cells", "disco_pkg.api.other"]
    client = app.test_client()
    assert client.get("/api/cells").get_json() == {"from": "Items"}
    assert client.get("/api/other").status_code == 200  # same class name, other module


def test_imported_resources_are_not_registered_twice(package: Path) -> None:
    (package / "api" / "cells.py").write_text(RESOURCE.format(cls="Cells", routes=("/api/cells",)))
    (package / "api" / "reexport.py").write_text("from disco_pkg.api.cells import Cells\n")
    added = register_resources(Api(Flask(__name__)), "disco_pkg.api")
    assert [cls.__name__ for cls in added] == ["Cells"]


def test_blueprints_are_registered_and_a_second_app_gets_them_too(package: Path) -> None:
    (package / "blueprints" / "reports.py").write_text(BLUEPRINT.format(name="reports"))
    (package / "blueprints" / "again.py").write_text(
        "from disco_pkg.blueprints.reports import blueprint\n"
    )
    for _ in range(2):  # e.g. one create_app per test in one process
        app = Flask(__name__)
        assert [bp.name for bp in register_blueprints(app, "disco_pkg.blueprints")] == ["reports"]
        assert app.test_client().get("/reports").get_data(as_text=True) == "reports"


def test_a_taken_blueprint_name_is_an_error_not_a_silent_skip(package: Path) -> None:
    (package / "blueprints" / "reports.py").write_text(BLUEPRINT.format(name="reports"))
    app = Flask(__name__)
    (package / "blueprints" / "clash.py").write_text(BLUEPRINT.format(name="reports"))
    with pytest.raises(ValueError, match="reports"):
        register_blueprints(app, "disco_pkg.blueprints")


def test_a_new_module_is_found_by_the_next_app(package: Path) -> None:
    assert register_blueprints(Flask(__name__), "disco_pkg.blueprints") == []
    (package / "blueprints" / "late.py").write_text(BLUEPRINT.format(name="late"))
    app = Flask(__name__)
    assert [bp.name for bp in register_blueprints(app, "disco_pkg.blueprints")] == ["late"]
