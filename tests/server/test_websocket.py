"""The Geppetto WebSocket over a real server and real clients."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from typing import Any

import pytest
from flask import Flask
from tornado.httpclient import AsyncHTTPClient

from geppetto_dev.protocol import COMPRESSION_THRESHOLD, Registry, Reply
from geppetto_dev.server.websocket import CONNECTIONS_KEY
from tests.server.conftest import connect, error_of, run_async


def run(coro: Any) -> Any:
    return run_async(coro)


def test_replies_go_out_without_waiting_for_acks(start_server: Any) -> None:
    """TCP_NODELAY on the server's side: a load's four replies leave as written, rather than
    each waiting for the client's delayed ACK of the one before (bench/reply_burst.py)."""
    server = start_server()

    async def scenario() -> list[int]:
        client = await connect(server.ws_url)
        await client.handshake()
        found = [
            conn.ws_connection.stream.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            for conn in server.tornado.settings[CONNECTIONS_KEY]
        ]
        client.conn.close()
        return found

    found = run(scenario())
    assert found and all(found), found


def test_handshake_sends_client_id_then_privileges(start_server: Any) -> None:
    server = start_server(user_name="ada", privileges=("READ_PROJECT", "DOWNLOAD"))

    async def scenario() -> None:
        client = await connect(server.ws_url)
        first, second = await client.handshake()
        assert first["type"] == "client_id"
        assert first["requestID"] is None
        assert json.loads(first["data"])["clientID"]
        assert second["type"] == "user_privileges"
        inner = json.loads(json.loads(second["data"])["user_privileges"])
        assert inner["userName"] == "ada"
        assert inner["privileges"] == ["READ_PROJECT", "DOWNLOAD"]
        assert inner["loggedIn"] is True

    run(scenario())


def test_client_ids_are_unique_per_connection(start_server: Any) -> None:
    server = start_server()

    async def scenario() -> set[str]:
        ids = set()
        for _ in range(5):
            client = await connect(server.ws_url)
            first, _ = await client.handshake()
            ids.add(json.loads(first["data"])["clientID"])
            client.conn.close()
        return ids

    assert len(run(scenario())) == 5


def test_geppetto_version_answers_with_the_request_id(start_server: Any) -> None:
    server = start_server(geppetto_version="9.9.9")

    async def scenario() -> dict[str, Any]:
        client = await connect(server.ws_url)
        await client.handshake()
        await client.request("geppetto_version", None, request_id="null-0")
        reply: dict[str, Any] = await client.recv()
        return reply

    reply = run(scenario())
    assert reply["requestID"] == "null-0"
    assert reply["type"] == "geppetto_version"
    assert json.loads(reply["data"]) == {"geppetto_version": "9.9.9"}


BAD_INPUT = [
    ("{not json", "INVALID_JSON", None),
    ('["a list"]', "INVALID_MESSAGE", None),
    ('{"requestID": "c-1", "data": "null"}', "MISSING_TYPE", "c-1"),
    # As Java: no requestID (the 0.3.8 client would hand the error to the request's callback).
    ('{"requestID": "c-2", "type": "no_such_type", "data": "null"}', "UNKNOWN_TYPE", None),
    ('{"requestID": "c-3", "type": "explode", "data": "null"}', "HANDLER_ERROR", "c-3"),
    ('{"requestID": "c-4", "type": "explode_async", "data": "null"}', "HANDLER_ERROR", "c-4"),
]


@pytest.mark.parametrize(("frame", "code", "request_id"), BAD_INPUT)
def test_bad_input_gets_generic_error_and_connection_survives(
    start_server: Any, frame: str, code: str, request_id: str | None
) -> None:
    registry = Registry()

    @registry.handler("explode")
    def explode(conn: Any, data: Any) -> None:
        raise RuntimeError("boom")

    @registry.handler("explode_async")
    async def explode_async(conn: Any, data: Any) -> None:
        raise RuntimeError("boom")

    server = start_server(registry=registry)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        client = await connect(server.ws_url)
        await client.handshake()
        await client.conn.write_message(frame)
        error = await client.recv()
        await client.request("geppetto_version", None, request_id="after-1")
        return error, await client.recv()

    error, after = run(scenario())
    assert error["requestID"] == request_id
    inner = error_of(error)
    assert inner["error_code"] == code
    assert inner["message"]
    assert set(inner) == {"error_code", "message", "exception", "id"}
    assert after["requestID"] == "after-1"
    assert after["type"] == "geppetto_version"


def test_tracebacks_stay_in_the_log_unless_dev_mode_on_loopback(start_server: Any) -> None:
    registry = Registry()

    @registry.handler("explode")
    def explode(conn: Any, data: Any) -> None:
        raise RuntimeError("secret detail")

    quiet = start_server(registry=registry)
    loud = start_server(registry=registry, dev=True)

    async def error_from(url: str) -> dict[str, Any]:
        client = await connect(url)
        await client.handshake()
        await client.request("explode", None, "r-1")
        return error_of(await client.recv())

    assert "Traceback" not in run(error_from(quiet.ws_url))["exception"]
    assert "Traceback" in run(error_from(loud.ws_url))["exception"]


def test_oversized_message_is_refused_and_connection_survives(start_server: Any) -> None:
    server = start_server(max_message_size=1000)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        client = await connect(server.ws_url)
        await client.handshake()
        await client.request("geppetto_version", "x" * 1500, request_id="big-1")
        error = await client.recv()
        await client.request("geppetto_version", None, request_id="small-1")
        return error, await client.recv()

    error, after = run(scenario())
    assert error_of(error)["error_code"] == "MESSAGE_TOO_LARGE"
    assert after["requestID"] == "small-1"


def test_far_oversized_frame_closes_with_1009(start_server: Any) -> None:
    server = start_server(max_message_size=1000)

    async def scenario() -> int | None:
        client = await connect(server.ws_url)
        await client.handshake()
        await client.conn.write_message("x" * 5000)
        while await client.conn.read_message() is not None:
            pass
        return client.conn.close_code

    assert run(scenario()) == 1009


def test_handlers_sync_async_reply_push_and_file(start_server: Any) -> None:
    registry = Registry()
    threads: list[str] = []

    @registry.handler("load_project_from_url")
    def load(conn: Any, data: Any) -> Reply:
        threads.append(threading.current_thread().name)
        conn.send("info_message", {"message": json.dumps(f"loading {data}")})
        return Reply("project_loaded", {"project_loaded": json.dumps({"project": {"id": 1}})})

    @registry.handler("fetch_variable")
    async def fetch(conn: Any, data: Any) -> dict[str, Any]:
        return {"variable_fetched": json.dumps(data)}

    @registry.handler("download_model")
    async def download(conn: Any, data: Any) -> None:
        conn.send_file("model.nml", b"<neuroml/>")

    server = start_server(registry=registry)

    async def scenario() -> list[Any]:
        client = await connect(server.ws_url)
        await client.handshake()
        await client.request("load_project_from_url", "http://example.org/p.json", "c-1")
        got = [await client.recv(), await client.recv()]
        await client.request("fetch_variable", {"projectId": 1, "variableId": "v"}, "c-2")
        got.append(await client.recv())
        await client.request("download_model", {"projectId": 1}, "c-3")
        got.append(await client.recv())
        return got

    info, loaded, fetched, download_frame = run(scenario())
    assert info["type"] == "info_message"
    assert json.loads(json.loads(info["data"])["message"]) == "loading http://example.org/p.json"
    assert loaded["type"] == "project_loaded" and loaded["requestID"] == "c-1"
    assert fetched["requestID"] == "c-2"
    assert json.loads(json.loads(fetched["data"])["variable_fetched"])["variableId"] == "v"
    assert download_frame == ("model.nml", b"<neuroml/>")
    # Synchronous handlers run in the worker pool, never on the event loop thread.
    assert threads and threads[0].startswith("geppetto-wsgi")


def test_large_messages_go_out_gzip_compressed(start_server: Any) -> None:
    registry = Registry()
    model = "m" * (COMPRESSION_THRESHOLD + 10)

    @registry.handler("load_model")
    async def load(conn: Any, data: Any) -> Reply:
        return Reply("geppetto_model_loaded", {"geppetto_model_loaded": model})

    server = start_server(registry=registry)

    async def scenario() -> tuple[Any, Any]:
        client = await connect(server.ws_url)
        await client.handshake()
        await client.request("load_model", None, "c-1")
        raw = await client.conn.read_message()
        return raw, client

    raw, _ = run(scenario())
    assert isinstance(raw, bytes) and raw[:1] == b"\x00"
    from geppetto_dev.protocol import read_frame

    envelope = read_frame(raw)
    assert isinstance(envelope, dict) and envelope["requestID"] == "c-1"
    assert json.loads(envelope["data"])["geppetto_model_loaded"] == model


@pytest.mark.parametrize(
    ("origin", "allowed", "accepted"),
    [
        (None, (), True),
        ("http://127.0.0.1:{port}", (), True),
        ("http://evil.example", (), False),
        ("http://evil.example", ("http://evil.example",), True),
        ("http://localhost:3000", ("http://evil.example",), False),
    ],
)
def test_cross_origin_connections_are_refused_unless_allowed(
    start_server: Any, origin: str | None, allowed: tuple[str, ...], accepted: bool
) -> None:
    server = start_server(allowed_origins=allowed)
    origin = origin.format(port=server.port) if origin else None

    async def scenario() -> bool:
        try:
            client = await connect(server.ws_url, origin=origin)
        except Exception as exc:  # tornado raises HTTPClientError(403)
            assert "403" in str(exc)
            return False
        first, _ = await client.handshake()
        return bool(first["type"] == "client_id")

    assert run(scenario()) is accepted


def test_websocket_is_not_held_up_by_a_slow_flask_view(start_server: Any) -> None:
    flask_app = Flask("slow")
    started = threading.Event()

    @flask_app.route("/slow")
    def slow() -> str:
        started.set()
        time.sleep(1.5)
        return "done"

    server = start_server(flask_app=flask_app)

    async def scenario() -> bool:
        client = await connect(server.ws_url)
        await client.handshake()
        pending = asyncio.ensure_future(AsyncHTTPClient().fetch(server.url + "/slow"))
        while not started.is_set():
            await asyncio.sleep(0.01)
        await client.request("geppetto_version", None, "during-1")
        reply = await client.recv()
        assert reply["requestID"] == "during-1"
        slow_done_first = pending.done()
        assert (await pending).body == b"done"
        return slow_done_first

    # The reply arrived while the slow view was still running.
    assert run(scenario()) is False


def test_reply_to_closed_connection_is_dropped_quietly(
    start_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    registry = Registry()
    finished = threading.Event()

    @registry.handler("slow")
    def slow(conn: Any, data: Any) -> dict[str, Any]:
        time.sleep(0.2)  # in a worker thread, so it outlives the connection
        finished.set()
        return {"slow": "late"}

    server = start_server(registry=registry)

    async def scenario() -> None:
        client = await connect(server.ws_url)
        await client.handshake()
        await client.request("slow", None, "c-1")
        client.conn.close()

    run(scenario())
    assert finished.wait(5)

    async def again() -> str:
        client = await connect(server.ws_url)
        first, _ = await client.handshake()
        return str(first["type"])

    # The late reply went nowhere, and the server carries on serving new clients.
    assert run(again()) == "client_id"
    # Quietly: no warning or error from the server, Tornado or asyncio about the late reply.
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [r.getMessage() for r in loud]
