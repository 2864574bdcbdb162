"""The inspector's routes on a real stack: the page, its assets, the handled types, the switch."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from geppetto_dev.application import GeppettoApp
from geppetto_dev.config import Settings
from geppetto_dev.protocol import Registry
from geppetto_dev.server.inspector import INSPECTOR_PATH
from geppetto_dev.server.inspector.protocol_page import PROTOCOL_PAGE
from geppetto_dev.server.inspector.routes import ASSETS_DIR
from tests.server.conftest import RunningServer


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., RunningServer]]:
    servers: list[RunningServer] = []

    def start_server(registry: Registry | None = None, **overrides: Any) -> RunningServer:
        settings = replace(Settings(project_dir=tmp_path), **overrides)
        app = GeppettoApp(settings, flask_app=Flask("empty"), handlers=registry)
        server = RunningServer(app)
        servers.append(server)
        return server

    yield start_server
    for server in servers:
        server.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, method=method), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def page_config(body: bytes) -> dict[str, Any]:
    match = re.search(
        rb'<script id="inspector-config" type="application/json">(.*?)</script>', body, re.S
    )
    assert match, body[:500]
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def test_page_carries_the_context_path_and_a_strict_policy(
    start: Callable[..., RunningServer],
) -> None:
    server = start(context_path="my.frontend")
    status, headers, body = fetch(server.url + INSPECTOR_PATH)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert page_config(body)["contextPath"] == "my.frontend"
    # Nothing may be loaded from outside: the policy allows this origin only.
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert "http" not in policy
    status, headers, body = fetch(server.url + INSPECTOR_PATH, method="HEAD")
    assert (status, body) == (200, b"")


def test_root_context_path_and_script_safe_config(start: Callable[..., RunningServer]) -> None:
    assert page_config(fetch(start(context_path="").url + INSPECTOR_PATH)[2])["contextPath"] == ""
    # A value that would close the <script> element is escaped, and still reads back the same.
    nasty = "a</script><script>alert(1)</script>"
    body = fetch(start(context_path=nasty).url + INSPECTOR_PATH)[2]
    assert b"</script><script>alert" not in body
    assert page_config(body)["contextPath"] == nasty


def test_handled_types_come_from_the_registry(start: Callable[..., RunningServer]) -> None:
    registry = Registry()

    @registry.handler("my_own_type")
    def mine(conn: Any, data: Any) -> None:
        return None

    server = start(registry=registry)
    status, headers, body = fetch(server.url + INSPECTOR_PATH + "/message-types")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    types = json.loads(body)["message_types"]
    assert types == server.app.handlers.message_types()
    assert {"my_own_type", "load_project_from_url", "geppetto_version"} <= set(types)


def test_assets_are_served_and_nothing_else_from_the_package(
    start: Callable[..., RunningServer],
) -> None:
    server = start()
    for name, kind in (("inspector.js", "javascript"), ("inspector.css", "text/css")):
        status, headers, body = fetch(f"{server.url}{INSPECTOR_PATH}/static/{name}")
        assert status == 200, name
        assert kind in headers["Content-Type"]
        assert body == (ASSETS_DIR / name).read_bytes()
    for name in ("routes.py", "__init__.py", "inspector.html", "..%2Froutes.py", "x.js"):
        status, _, body = fetch(f"{server.url}{INSPECTOR_PATH}/static/{name}")
        assert status == 404, name
        assert b"import" not in body
    assert fetch(server.url + INSPECTOR_PATH + "/")[0] == 302


def test_page_references_only_its_own_assets() -> None:
    page = (ASSETS_DIR / "inspector.html").read_text()
    refs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert refs, "the page has no assets"
    own = (INSPECTOR_PATH + "/static/", INSPECTOR_PATH + PROTOCOL_PAGE)
    assert all(ref.startswith(own) or ref == "data:," for ref in refs)
    script = (ASSETS_DIR / "inspector.js").read_text()
    assert "import(" not in script and "importScripts" not in script
    css = (ASSETS_DIR / "inspector.css").read_text()
    assert "@import" not in css and "url(" not in css


def test_protocol_reference_lists_this_servers_handlers(
    start: Callable[..., RunningServer],
) -> None:
    """The page the inspector links to: every handled type, a project's own by its docstring."""
    registry = Registry()

    @registry.handler("count_cells")
    def count_cells(conn: Any, data: Any) -> None:
        """Answers `count_cells` with the number of <cells> drawn.

        Not this paragraph."""

    @registry.handler("load_project_from_id")
    def load_mine(conn: Any, data: Any) -> None:
        """Loads the project from the lab's archive."""

    server = start(registry=registry)
    status, headers, body = fetch(server.url + INSPECTOR_PATH + PROTOCOL_PAGE)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    page = body.decode()
    rows = dict(re.findall(r'<tr id="([^"]+)">(.*?)</tr>', page))
    assert sorted(rows) == server.app.handlers.message_types()
    assert "<code>count_cells</code> with the number of &lt;cells&gt; drawn." in rows["count_cells"]
    assert "Not this paragraph" not in page
    # A project's own handler for a built-in type is described by its author, not by us.
    assert "Loads the project from the lab's archive." in rows["load_project_from_id"]
    assert "project_loaded" not in rows["load_project_from_id"]
    assert "test_inspector_routes" in rows["load_project_from_id"]
    assert "<code>experiment_created</code>" in rows["new_experiment"]
    # Nothing from outside: its one stylesheet is the inspector's own.
    refs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert set(refs) == {"data:,", INSPECTOR_PATH + "/static/inspector.css", INSPECTOR_PATH}


def test_inspector_links_the_protocol_reference(start: Callable[..., RunningServer]) -> None:
    server = start()
    page = fetch(server.url + INSPECTOR_PATH)[2].decode()
    link = re.search(r'<a id="protocol-reference"[^>]*href="([^"]+)"', page)
    assert link, "no link to the protocol reference"
    assert fetch(server.url + link.group(1))[0] == 200


def test_off_switch_hands_the_path_to_the_project_app(start: Callable[..., RunningServer]) -> None:
    server = start(inspector=False)
    assert fetch(server.url + INSPECTOR_PATH)[0] == 404
    assert fetch(server.url + INSPECTOR_PATH + "/message-types")[0] == 404
    assert fetch(server.url + INSPECTOR_PATH + "/static/inspector.js")[0] == 404
    assert fetch(server.url + INSPECTOR_PATH + PROTOCOL_PAGE)[0] == 404
