"""After `init`, `geppetto-dev serve` from the project folder serves the built page and the API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.fixtures.frontend_repo import WEBAPP_PATH
from tests.frontend.conftest import cli_env, needs_node, run_cli
from tests.support import start_serve

pytestmark = needs_node


@contextmanager
def serving(project: Path, *args: str) -> Iterator[str]:
    """`geppetto-dev serve ARGS` in the project, as `init` left it; its base URL."""
    served = start_serve(project, *args, base_env=cli_env())
    try:
        yield served.url
    finally:
        served.stop()


def request(url: str, body: bytes | None = None) -> tuple[int, str]:
    req = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"} if body else {}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_serve_shows_the_built_page_and_people_survive_a_restart(inited: Path) -> None:
    person = {"name": "Ada", "surname": "Lovelace", "occupation": "Mathematician"}
    with serving(inited) as base:
        status, page = request(base + "/")
        assert status == 200
        assert '<base href="/org.geppetto.frontend/"/>' in page
        assert 'src="geppetto/build/main.bundle.js"' in page
        status, bundle = request(base + "/org.geppetto.frontend/geppetto/build/main.bundle.js")
        assert status == 200 and "FIXTURE_VERSION" in bundle

        status, body = request(base + "/api/people", json.dumps(person).encode())
        assert status == 201, body
        assert {k: json.loads(body)[k] for k in person} == person
        status, body = request(base + "/api/people", b'{"name": "Bob"')
        assert status == 400 and "message" in json.loads(body)
        status, body = request(base + "/api/people", json.dumps({"name": "Bob"}).encode())
        assert status == 400 and "surname" in json.loads(body)["message"]

    with serving(inited) as base:
        status, body = request(base + "/api/people")
        assert status == 200
        assert [{k: p[k] for k in person} for p in json.loads(body)] == [person]


def test_a_rebuilt_bundle_is_served_anew_not_a_stale_304(inited: Path) -> None:
    bundle = inited / "frontend" / WEBAPP_PATH / "build" / "main.bundle.js"
    with serving(inited) as base:
        url = base + "/org.geppetto.frontend/geppetto/build/main.bundle.js"
        with urllib.request.urlopen(url, timeout=10) as first:
            etag = first.headers["ETag"]
        bundle.write_text(bundle.read_text() + "\nwindow.rebuilt = true;\n")
        revalidate = urllib.request.Request(url, headers={"If-None-Match": etag})
        with urllib.request.urlopen(revalidate, timeout=10) as second:
            assert second.status == 200  # a 304 would keep the browser on the old code
            assert "window.rebuilt = true;" in second.read().decode()


def test_a_project_made_with_skip_frontend_serves_the_embedded_frontend(tmp_path: Path) -> None:
    done = run_cli("init", "proj", "--skip-frontend", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    with serving(tmp_path / "proj") as base:
        status, page = request(base + "/")
        assert status == 200 and 'src="/org.geppetto.frontend/geppetto/build/main.js"' in page
        status, _ = request(base + "/org.geppetto.frontend/geppetto/build/main.js")
        assert status == 200
        status, body = request(base + "/api/people")
        assert status == 200 and json.loads(body) == []
