"""Who sees exception details: the rule alone, then every path of a real server.

The servers listen on loopback; `host` in their settings is what they believe they are bound
to, which is all the rule reads (a server started with --host 0.0.0.0 has host "0.0.0.0").
"""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest
from flask import Flask

from geppetto_dev.model import GeppettoModel
from geppetto_dev.problems import Problem
from geppetto_dev.projects import Experiment, Project, RunRequest
from geppetto_dev.projects.project import project
from geppetto_dev.protocol import Registry, read_frame
from geppetto_dev.reload.child import LOAD_FAILED, failure_app
from geppetto_dev.reload.livereload import LIVERELOAD_PATH, LiveReloadHub
from geppetto_dev.server.traceback_policy import TracebackPolicy
from tests.server.rawws import BINARY, TEXT, RawWebSocket

SECRET = "secret detail"
FAILING_ID = 97
LOCAL = "127.0.0.1"


# The rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dev", "bound", "peer", "host", "headers", "shown"),
    [
        (True, "127.0.0.1", "127.0.0.1", "127.0.0.1:5000", {}, True),
        (True, "localhost", "::1", "localhost", {}, True),
        (True, "::1", "::ffff:127.0.0.1", "[::1]:5000", {}, True),
        (False, "127.0.0.1", "127.0.0.1", "127.0.0.1:5000", {}, False),  # not dev
        (True, "0.0.0.0", "127.0.0.1", "127.0.0.1:5000", {}, False),  # bound beyond loopback
        (True, "", "127.0.0.1", "127.0.0.1:5000", {}, False),  # every interface
        (True, "192.168.1.5", "127.0.0.1", "127.0.0.1:5000", {}, False),
        (True, "127.0.0.1", "127.0.0.1", "tunnel.example", {}, False),  # a tunnel's own name
        (True, "127.0.0.1", None, "localhost", {}, False),
        # A proxy here that is not trusted says it forwards someone's request: not local.
        (True, "127.0.0.1", "127.0.0.1", "localhost", {"X-Forwarded-For": "127.0.0.1"}, False),
        (True, "127.0.0.1", "127.0.0.1", "localhost", {"X-Real-IP": "127.0.0.1"}, False),
        (True, "127.0.0.1", "127.0.0.1", "localhost", {"Forwarded": "for=1.2.3.4"}, False),
    ],
)
def test_who_sees_tracebacks(
    dev: bool, bound: str, peer: str | None, host: str, headers: dict[str, str], shown: bool
) -> None:
    policy = TracebackPolicy(dev=dev, bound_host=bound)
    assert policy.shows(peer, host, headers) is shown


@pytest.mark.parametrize(
    ("forwarded", "client", "shown"),
    [
        ("127.0.0.1", "127.0.0.1", True),  # a browser on this machine, through the proxy
        ("203.0.113.9", "203.0.113.9", False),
        ("127.0.0.1, 203.0.113.9", "203.0.113.9", False),  # the proxy appended the real one
        ("203.0.113.9, 10.0.0.2", "203.0.113.9", False),  # through two trusted proxies
        ("10.0.0.2", "10.0.0.2", False),  # every hop trusted: the first is the client
        ("not an address", "127.0.0.1", False),  # garbage: nobody can say who it is
        ("", "127.0.0.1", False),  # the proxy's own request, or one that forwards nothing
    ],
)
def test_a_trusted_proxy_names_the_client(forwarded: str, client: str, shown: bool) -> None:
    policy = TracebackPolicy(
        dev=True, bound_host="127.0.0.1", trusted_proxies=["127.0.0.1", "10.0.0.0/8"]
    )
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    assert policy.shows("127.0.0.1", "dev.example.org", headers) is shown
    assert policy.client_address("127.0.0.1", headers) == client
    # From a peer that is not a proxy, the header is the peer's word: ignored for the address.
    assert TracebackPolicy(dev=True, bound_host="127.0.0.1").client_address(
        "127.0.0.1", headers
    ) == ("127.0.0.1")


# Every path, on a real server ----------------------------------------------------------------


def boom_app() -> Flask:
    app = Flask("boom")

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError(SECRET + " from a view")

    return app


def explode_registry() -> Registry:
    registry = Registry()

    @registry.handler("explode")
    def explode(conn: Any, data: Any) -> None:
        raise RuntimeError(SECRET + " from a handler")

    return registry


def failing_run(request: RunRequest) -> dict[str, Any]:
    raise RuntimeError(SECRET + " from a run")


@pytest.fixture
def failing(projects: list[Project]) -> Project:
    item = project(id=FAILING_ID, name="failing", experiments=[Experiment(1, "Fails")])(
        lambda: GeppettoModel("failing")
    )
    item.run(failing_run)
    projects.append(item)
    return item


def http_get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection(LOCAL, port, timeout=10)
    conn.request("GET", path, headers={"Host": f"{LOCAL}:{port}", **headers})
    response = conn.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def messages(ws: RawWebSocket, until: str, limit: int = 20) -> dict[str, Any]:
    """Frames until one of type `until` (a bounded number of them)."""
    for _ in range(limit):
        received = ws.recv()
        if received.opcode in (TEXT, BINARY):
            message = read_frame(
                received.payload.decode() if received.opcode == TEXT else received.payload
            )
            if isinstance(message, dict) and message["type"] == until:
                return message
    raise AssertionError(f"no {until} in {limit} frames")


def what_clients_see(server: Any, headers: dict[str, str]) -> dict[str, str]:
    """The text each path sends a client on 127.0.0.1 (with these extra headers)."""
    seen: dict[str, str] = {}
    ws = RawWebSocket(server.port, server.settings.websocket_path, headers=headers)
    assert ws.status == 101
    ws.recv(), ws.recv()  # client_id, user_privileges
    ws.send_text(json.dumps({"requestID": "x-1", "type": "explode", "data": "null"}))
    seen["handler"] = json.dumps(messages(ws, "generic_error"))
    load = {"projectId": FAILING_ID, "experimentId": 1}
    ws.send_text(json.dumps({"requestID": "l", "type": "load_project_from_id", "data": load}))
    messages(ws, "experiment_loaded")
    ws.send_text(json.dumps({"requestID": "r", "type": "run_experiment", "data": load}))
    seen["run"] = json.dumps(messages(ws, "error_running_experiment"))
    ws.close()
    status, seen["view"] = http_get(server.port, "/boom", headers)
    assert status == 500 and "error id" in seen["view"]
    return seen


def assert_plain(seen: dict[str, str]) -> None:
    """No traceback anywhere; the exception's text only in a run's message (its hook's words
    for the user), never from a handler or a view."""
    for path, text in seen.items():
        assert "Traceback" not in text and "line " not in text, path
    assert SECRET not in seen["handler"] and SECRET not in seen["view"]


def assert_detailed(seen: dict[str, str]) -> None:
    for path, text in seen.items():
        assert "Traceback" in text and SECRET in text, path


def test_nothing_reaches_any_client_of_a_server_bound_beyond_loopback(
    start_server: Any, failing: Project
) -> None:
    server = start_server(
        flask_app=boom_app(), registry=explode_registry(), dev=True, host="0.0.0.0"
    )
    for headers in ({}, {"X-Forwarded-For": LOCAL}):
        assert_plain(what_clients_see(server, headers))


def test_loopback_clients_of_a_loopback_dev_server_see_every_traceback(
    start_server: Any, failing: Project
) -> None:
    server = start_server(flask_app=boom_app(), registry=explode_registry(), dev=True)
    assert_detailed(what_clients_see(server, {}))
    # The same server, for a request a proxy here forwarded: the plain answers.
    assert_plain(what_clients_see(server, {"X-Forwarded-For": "203.0.113.9"}))


def test_a_trusted_proxy_forwarding_a_remote_client_gets_no_traceback(
    start_server: Any, failing: Project
) -> None:
    server = start_server(
        flask_app=boom_app(), registry=explode_registry(), dev=True, trusted_proxies=(LOCAL,)
    )
    assert_detailed(what_clients_see(server, {"X-Forwarded-For": LOCAL}))
    assert_plain(what_clients_see(server, {"X-Forwarded-For": "203.0.113.9"}))


def test_a_project_500_handler_is_kept(start_server: Any) -> None:
    app = boom_app()
    app.register_error_handler(500, lambda error: ("ours", 500))
    server = start_server(flask_app=app, dev=True)
    assert http_get(server.port, "/boom", {}) == (500, "ours")


@pytest.mark.parametrize(("bound", "shown"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_the_reload_error_page_and_overlay_follow_the_rule(
    start_server: Any, bound: str, shown: bool
) -> None:
    tracebacks = TracebackPolicy(dev=True, bound_host=bound)
    problem = Problem(LOAD_FAILED, "RuntimeError", SECRET, "/p/app.py", 1, code=((1, SECRET),))
    hub = LiveReloadHub("boot-1", [problem], tracebacks=tracebacks)
    server = start_server(flask_app=failure_app([problem], tracebacks), extra_routes=hub.routes())
    status, page = http_get(server.port, "/", {})
    assert status == 500 and (SECRET in page) is shown
    origin = f"http://{LOCAL}:{server.port}"
    ws = RawWebSocket(server.port, LIVERELOAD_PATH, origin=origin)
    hello, problems = json.loads(ws.recv().payload), json.loads(ws.recv().payload)
    ws.close()
    assert hello["type"] == "hello" and problems["type"] == "problems"
    assert (SECRET in json.dumps(problems["problems"])) is shown
