"""Hostile input on the Geppetto WebSocket: each gets a small generic_error, the socket stays."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

import pytest

from geppetto_dev.protocol import Registry
from tests.server.conftest import connect, error_of, run_async


async def error_then_version(url: str, frame: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """The server's answer to `frame` (decoded and raw), then a geppetto_version round trip."""
    client = await connect(url)
    await client.handshake()
    await client.conn.write_message(frame)
    raw = await asyncio.wait_for(client.conn.read_message(), 10)
    assert isinstance(raw, str), "expected a small text frame"
    await client.request("geppetto_version", None, request_id="after-1")
    return json.loads(raw), raw, await client.recv()


DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    ("frame", "request_id"),
    [
        ("[" * 1000, None),
        (json.dumps({"requestID": "d-1", "type": "geppetto_version", "data": DEEP}), "d-1"),
    ],
    ids=["frame", "data"],
)
def test_deeply_nested_json_is_answered(
    start_server: Any, frame: str, request_id: str | None
) -> None:
    server = start_server()
    error, _, after = run_async(error_then_version(server.ws_url, frame))
    assert error["requestID"] == request_id
    assert error_of(error)["error_code"] == "INVALID_JSON"
    assert "nested too deeply" in error_of(error)["message"]
    assert after["requestID"] == "after-1"


@pytest.mark.parametrize(
    "request_id",
    [True, False, {"a": 1}, ["x"], "r" * 257],
    ids=["true", "false", "object", "list", "too-long"],
)
def test_a_request_id_that_is_not_a_string_or_number_is_refused(
    start_server: Any, request_id: Any
) -> None:
    server = start_server()
    frame = json.dumps({"requestID": request_id, "type": "geppetto_version", "data": "null"})
    error, _, after = run_async(error_then_version(server.ws_url, frame))
    assert error["requestID"] is None  # never echoed
    assert error_of(error)["error_code"] == "INVALID_MESSAGE"
    assert after["type"] == "geppetto_version"


def test_numeric_request_ids_are_echoed_as_text(start_server: Any) -> None:
    server = start_server()
    frame = json.dumps({"requestID": 7, "type": "geppetto_version", "data": "null"})
    reply, _, _ = run_async(error_then_version(server.ws_url, frame))
    assert reply["type"] == "geppetto_version" and reply["requestID"] == "7"


def test_an_unknown_type_is_echoed_only_in_part(start_server: Any) -> None:
    server = start_server()
    kind = "\\" * 100_000
    frame = json.dumps({"requestID": "u-1", "type": kind, "data": "null"})
    error, raw, after = run_async(error_then_version(server.ws_url, frame))
    assert error_of(error)["error_code"] == "UNKNOWN_TYPE"
    assert "100000 characters" in error_of(error)["message"]
    assert len(raw) < 2000
    assert after["requestID"] == "after-1"


def test_the_size_limit_counts_bytes_not_characters(start_server: Any) -> None:
    server = start_server(max_message_size=1000)
    # 350 characters, 1050 bytes in UTF-8: over the limit.
    frame = json.dumps(
        {"requestID": "e-1", "type": "geppetto_version", "data": "€" * 350}, ensure_ascii=False
    )
    assert len(frame) < 1000 < len(frame.encode())
    error, _, after = run_async(error_then_version(server.ws_url, frame))
    assert error_of(error)["error_code"] == "MESSAGE_TOO_LARGE"
    assert after["requestID"] == "after-1"


def test_handler_errors_carry_an_id_from_the_log_not_the_exception_text(
    start_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    registry = Registry()

    @registry.handler("leak")
    def leak(conn: Any, data: Any) -> None:
        raise RuntimeError("password=hunter2 at /srv/secret/db.sqlite3")

    server = start_server(registry=registry)
    frame = json.dumps({"requestID": "h-1", "type": "leak", "data": "null"})
    with caplog.at_level(logging.ERROR, logger="geppetto_dev.protocol"):
        error, raw, _ = run_async(error_then_version(server.ws_url, frame))
    inner = error_of(error)
    assert inner["error_code"] == "HANDLER_ERROR"
    assert "hunter2" not in raw and "/srv/secret" not in raw
    found = re.search(r"error id ([0-9a-f]{12})", inner["message"])
    assert found, inner["message"]
    logged = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged and "hunter2" in str(logged[0].exc_info[1] if logged[0].exc_info else "")


def test_a_reply_that_cannot_be_encoded_is_a_handler_error(start_server: Any) -> None:
    registry = Registry()

    @registry.handler("deep_reply")
    async def deep_reply(conn: Any, data: Any) -> Any:
        value: Any = []
        for _ in range(100_000):
            value = [value]
        return {"deep_reply": value}

    server = start_server(registry=registry)
    frame = json.dumps({"requestID": "r-1", "type": "deep_reply", "data": "null"})
    error, _, after = run_async(error_then_version(server.ws_url, frame))
    assert error["requestID"] == "r-1"
    assert error_of(error)["error_code"] == "HANDLER_ERROR"
    assert after["requestID"] == "after-1"
