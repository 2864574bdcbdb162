"""DNS rebinding: Host and Origin checks on every route (tracebacks: test_traceback_policy)."""

from __future__ import annotations

import http.client
from typing import Any

import pytest
from flask import Flask

from geppetto_dev.reload.livereload import LIVERELOAD_PATH, LiveReloadHub
from geppetto_dev.server.hosts import HostPolicy
from geppetto_dev.server.traceback_policy import TracebackPolicy
from tests.server.rawws import RawWebSocket


def request(
    port: int, path: str, host: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host)
    for key, value in (headers or {}).items():
        conn.putheader(key, value)
    conn.endheaders()
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def people_app() -> Flask:
    app = Flask("people")

    @app.route("/api/people")
    def people() -> dict[str, list[str]]:
        return {"people": []}

    return app


ROUTES = [
    "/",
    "/_geppetto/inspector",
    "/_geppetto/inspector/message-types",
    "/_geppetto/inspector/static/inspector.js",
    "/org.geppetto.frontend/geppetto/build/main.bundle.js",
    "/api/people",
    "/projects",
]


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_refuses_a_foreign_host_name(start_server: Any, path: str) -> None:
    server = start_server(flask_app=people_app())
    status, _, body = request(server.port, path, "evil.example")
    assert status == 403
    assert b"allowed-hosts" in body
    status, _, _ = request(server.port, path, f"127.0.0.1:{server.port}")
    assert status == 200


def test_a_rebound_page_cannot_open_the_websocket(start_server: Any) -> None:
    server = start_server()
    path = server.settings.websocket_path
    port = server.port
    evil = RawWebSocket(
        port, path, host=f"evil.example:{port}", origin=f"http://evil.example:{port}"
    )
    assert evil.status == 403
    # Even with every origin allowed, the host name still has to be known.
    anyone = start_server(allowed_origins=("*",))
    rebound = RawWebSocket(anyone.port, path, host="evil.example", origin="http://evil.example")
    assert rebound.status == 403
    own = RawWebSocket(port, path, host=f"localhost:{port}", origin=f"http://localhost:{port}")
    assert own.status == 101


@pytest.mark.parametrize(
    ("host", "bound", "allowed", "answered"),
    [
        ("localhost:{port}", "127.0.0.1", (), True),
        ("LOCALHOST.:{port}", "127.0.0.1", (), True),
        ("app.localhost:{port}", "127.0.0.1", (), True),
        ("127.0.0.1:{port}", "127.0.0.1", (), True),
        ("127.0.0.2", "127.0.0.1", (), True),
        ("[::1]:{port}", "127.0.0.1", (), True),
        ("192.168.1.20:{port}", "127.0.0.1", (), False),
        ("192.168.1.20:{port}", "192.168.1.20", (), True),
        ("192.168.1.20:{port}", "0.0.0.0", (), True),
        ("[fd00::1]:{port}", "::", (), True),
        ("evil.example", "0.0.0.0", (), False),
        ("devbox.lan:{port}", "devbox.lan", (), True),
        ("dev.example.org", "127.0.0.1", ("dev.example.org",), True),
        ("a.example.org", "127.0.0.1", (".example.org",), True),
        ("example.org", "127.0.0.1", (".example.org",), True),
        ("badexample.org", "127.0.0.1", (".example.org",), False),
        ("anything.example", "127.0.0.1", ("*",), True),
        ("[::1", "127.0.0.1", (), False),
        ("", "127.0.0.1", (), False),
    ],
)
def test_host_names_answered(
    host: str, bound: str, allowed: tuple[str, ...], answered: bool
) -> None:
    assert HostPolicy(bound, allowed).allows(host.format(port=5000)) is answered


def test_allowed_hosts_setting_opens_the_inspector_to_that_name(start_server: Any) -> None:
    server = start_server(allowed_hosts=("devbox.example",))
    status, _, _ = request(server.port, "/_geppetto/inspector", "devbox.example:8080")
    assert status == 200
    origin = "http://devbox.example:8080"
    path = server.settings.websocket_path
    ws = RawWebSocket(server.port, path, host="devbox.example:8080", origin=origin)
    assert ws.status == 101
    other = RawWebSocket(server.port, path, host="devbox.example:8080", origin="http://x.example")
    assert other.status == 403


def test_live_reload_post_is_refused_to_other_sites(start_server: Any) -> None:
    hub = LiveReloadHub("boot-1", tracebacks=TracebackPolicy(dev=True, bound_host="127.0.0.1"))
    server = start_server(extra_routes=hub.routes())
    local = f"127.0.0.1:{server.port}"
    status, _, _ = request(server.port, LIVERELOAD_PATH, local, "POST", {"Content-Length": "0"})
    assert status == 200  # curl, a build tool: no Origin
    same = {"Content-Length": "0", "Origin": f"http://{local}"}
    assert request(server.port, LIVERELOAD_PATH, local, "POST", same)[0] == 200
    evil = {"Content-Length": "0", "Origin": "http://evil.example"}
    assert request(server.port, LIVERELOAD_PATH, local, "POST", evil)[0] == 403


def test_flask_redirects_do_not_take_their_location_from_the_host(start_server: Any) -> None:
    refused = start_server(flask_app=people_app())
    assert request(refused.port, "/api//people", "evil.example")[0] == 403
    anyone = start_server(flask_app=people_app(), allowed_hosts=("*",))
    status, headers, _ = request(anyone.port, "/api//people?x=1", "evil.example")
    assert status == 308
    assert headers["Location"] == "/api/people?x=1"
