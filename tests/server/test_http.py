"""Page, static files, traversal attempts and the Flask fallback over real HTTP."""

from __future__ import annotations

import http.client
import json
import os
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.example import create_app
from geppetto_dev.server import embedded
from geppetto_dev.server.embedded import EMBEDDED_DIR
from tests.server.conftest import PAGE


def get(port: int, path: str, method: str = "GET", body: Any = None) -> tuple[int, bytes]:
    """Raw HTTP, so the path reaches the server exactly as written (no client normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=None if body is None else body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def test_root_renders_the_built_geppetto_page(start_server: Any) -> None:
    server = start_server()
    status, body = get(server.port, "/")
    assert status == 200
    assert body.decode() == PAGE  # Jinja leaves `$content` and the rest untouched


def test_without_a_built_frontend_the_embedded_one_is_served(
    start_server: Any, tmp_path: Path
) -> None:
    server = start_server(frontend_dir=tmp_path / "nowhere")
    status, body = get(server.port, "/")
    assert status == 200
    page = body.decode()
    script = "/org.geppetto.frontend/geppetto/build/main.js"
    assert f'src="{script}"' in page
    assert 'href="/_geppetto/inspector"' in page
    status, bundle = get(server.port, script)
    assert status == 200
    assert bundle == (EMBEDDED_DIR / "build" / "main.js").read_bytes()
    # Nothing else of the package is reachable through the static route.
    for path in ("SOURCES.json", "../SOURCES.json", "..%2f__init__.py", "../__init__.py"):
        assert get(server.port, f"/org.geppetto.frontend/geppetto/{path}")[0] in (403, 404)


def test_the_embedded_page_follows_the_context_path(start_server: Any, tmp_path: Path) -> None:
    server = start_server(frontend_dir=tmp_path / "nowhere", context_path="my-app")
    page = get(server.port, "/")[1].decode()
    assert 'src="/my-app/geppetto/build/main.js"' in page
    assert get(server.port, "/my-app/geppetto/build/main.js")[0] == 200


def test_a_built_frontend_wins_over_the_embedded_one_as_soon_as_it_is_built(
    start_server: Any, tmp_path: Path
) -> None:
    webapp = tmp_path / "later"
    server = start_server(frontend_dir=webapp)
    assert b"geppetto/build/main.js" in get(server.port, "/")[1]
    (webapp / "build").mkdir(parents=True)
    (webapp / "build" / "geppetto.vm").write_text("<p>mine</p>")
    (webapp / "build" / "main.js").write_text("// mine")
    assert get(server.port, "/") == (200, b"<p>mine</p>")
    assert get(server.port, "/org.geppetto.frontend/geppetto/build/main.js") == (200, b"// mine")


def test_root_explains_how_to_build_when_nothing_is_built_at_all(
    start_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installation without the embedded build (a source checkout that removed it).
    monkeypatch.setattr(embedded, "EMBEDDED_DIR", tmp_path / "no-embedded")
    server = start_server(frontend_dir=tmp_path / "nowhere")
    status, body = get(server.port, "/")
    assert status == 200
    text = body.decode()
    assert "not built" in text
    assert "geppetto-dev init" in text
    assert "build-dev-noTest" in text


def test_project_route_at_root_wins_over_the_page(start_server: Any) -> None:
    from flask import Flask

    flask_app = Flask("own_root")
    flask_app.add_url_rule("/", "home", lambda: "my own page")
    server = start_server(flask_app=flask_app)
    assert get(server.port, "/") == (200, b"my own page")


def test_static_bundles_and_styles_are_served(start_server: Any) -> None:
    server = start_server()
    status, body = get(server.port, "/org.geppetto.frontend/geppetto/build/main.bundle.js")
    assert status == 200 and b"GEPPETTO_BUNDLE" in body
    status, body = get(server.port, "/org.geppetto.frontend/geppetto/style/main.css")
    assert status == 200 and b"margin" in body
    assert get(server.port, "/org.geppetto.frontend/geppetto/build/missing.js")[0] == 404


def test_context_path_is_configurable(start_server: Any) -> None:
    server = start_server(context_path="my.app")
    assert get(server.port, "/my.app/geppetto/build/main.bundle.js")[0] == 200
    assert server.settings.websocket_path == "/my.app/GeppettoServlet"


TRAVERSALS = [
    "/org.geppetto.frontend/geppetto/../secret.txt",
    "/org.geppetto.frontend/geppetto/../../secret.txt",
    "/org.geppetto.frontend/geppetto/%2e%2e/secret.txt",
    "/org.geppetto.frontend/geppetto/%2E%2E%2Fsecret.txt",
    "/org.geppetto.frontend/geppetto/build/%2e%2e/%2e%2e/secret.txt",
    "/org.geppetto.frontend/geppetto/..%2fsecret.txt",
    "/org.geppetto.frontend/geppetto/%252e%252e/secret.txt",
    "/org.geppetto.frontend/geppetto//etc/passwd",
    "/org.geppetto.frontend/geppetto/%2fetc%2fpasswd",
    "/org.geppetto.frontend/geppetto/build/link.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_file_outside_the_webapp_folder(start_server: Any, webapp: Path, path: str) -> None:
    secret = webapp.parent / "secret.txt"
    secret.write_text("TOP SECRET")
    os.symlink(secret, webapp / "build" / "link.txt")
    server = start_server()
    status, body = get(server.port, path)
    assert b"TOP SECRET" not in body
    assert b"root:" not in body
    assert status in (400, 403, 404)


def test_people_api_lists_and_adds(start_server: Any) -> None:
    server = start_server(flask_app=create_app())
    person = {"name": "Ada", "surname": "Lovelace", "occupation": "mathematician"}
    status, body = get(server.port, "/api/people", "POST", json.dumps(person))
    assert status == 201 and json.loads(body) == person
    status, body = get(server.port, "/api/people")
    assert status == 200 and person in json.loads(body)


@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", '{"name": "Ada"}', '{"name": "", "surname": "L", "occupation": "m"}'],
)
def test_people_api_rejects_bad_bodies(start_server: Any, body: str) -> None:
    server = start_server(flask_app=create_app())
    status, answer = get(server.port, "/api/people", "POST", body)
    assert status == 400
    assert json.loads(answer)["message"]


def test_flask_errors_show_no_traceback(start_server: Any) -> None:
    from flask import Flask

    flask_app = Flask("broken")

    @flask_app.route("/boom")
    def boom() -> str:
        raise RuntimeError("internal secret")

    server = start_server(flask_app=flask_app)
    status, body = get(server.port, "/boom")
    assert status == 500
    assert b"internal secret" not in body and b"Traceback" not in body


@pytest.mark.parametrize("path", ["build/main%00.js", "%00", "build%00/../package.json"])
def test_a_nul_in_a_static_path_is_a_bad_request(start_server: Any, path: str) -> None:
    server = start_server()
    status, body = get(server.port, f"/org.geppetto.frontend/geppetto/{path}")
    assert status == 400
    assert b"Traceback" not in body
