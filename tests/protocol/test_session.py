"""The Session without a server: requestIDs on pushes, raw data, lists of replies, frame order."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import replace
from typing import Any

from geppetto_dev.protocol import (
    COMPRESSION_THRESHOLD,
    Answer,
    ProtocolSettings,
    Registry,
    Reply,
    Session,
    protocol_handlers,
    read_frame,
)
from geppetto_dev.protocol import session as session_module

PROTOCOL = ProtocolSettings(
    user_name="Ada",
    privileges=("READ_PROJECT",),
    geppetto_version="9.9.9",
    max_message_size=100_000_000,
    show_tracebacks=False,
)


async def exchange(
    registry: Registry, kind: str, raw_data: str, expected: int
) -> list[dict[str, Any]]:
    frames: list[str | bytes] = []
    session = Session(PROTOCOL, registry, frames.append)
    session.receive(json.dumps({"requestID": "r-1", "type": kind, "data": raw_data}))
    for _ in range(500):
        if len(frames) >= expected:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # nothing more arrives
    session.close()
    decoded = [read_frame(f) for f in frames]
    assert all(isinstance(m, dict) for m in decoded)
    return decoded  # type: ignore[return-value]


def test_pushes_before_the_return_can_carry_the_request_id() -> None:
    registry = Registry()
    seen: list[Any] = []

    @registry.handler("sync_load")
    def sync_load(conn: Session, data: Any) -> Reply:
        seen.append((data, conn.request.raw_data if conn.request else None))
        conn.send("project_loaded", {"project_loaded": "{}"}, conn.request_id)
        conn.send("info_message", {"message": '"a push"'})
        return Reply("geppetto_model_loaded", {"geppetto_model_loaded": "{}"})

    @registry.handler("async_load")
    async def async_load(conn: Session, data: Any) -> None:
        await asyncio.sleep(0)
        conn.send("project_loaded", {"project_loaded": "{}"}, conn.request_id)

    got = asyncio.run(exchange(registry, "sync_load", "42", 3))
    assert [(m["type"], m["requestID"]) for m in got] == [
        ("project_loaded", "r-1"),
        ("info_message", None),
        ("geppetto_model_loaded", "r-1"),
    ]
    # The decoded data is the number; the raw string is still there.
    assert seen == [(42, "42")]
    got = asyncio.run(exchange(registry, "async_load", "null", 1))
    assert [(m["type"], m["requestID"]) for m in got] == [("project_loaded", "r-1")]


def test_request_id_outside_a_handler_is_none() -> None:
    async def scenario() -> tuple[Any, Any]:
        session = Session(PROTOCOL, Registry(), lambda frame: None)
        return session.request_id, session.request

    assert asyncio.run(scenario()) == (None, None)


def test_a_list_of_replies_goes_out_in_order_all_with_the_request_id() -> None:
    registry = Registry()

    @registry.handler("load")
    def load(conn: Session, data: Any) -> list[Reply | dict[str, Any]]:
        return [Reply("a", {"a": "1"}), Reply("b", {"b": "2"}), {"load": "3"}]

    @registry.handler("bad")
    def bad(conn: Session, data: Any) -> Any:
        return ["not a reply"]

    got = asyncio.run(exchange(registry, "load", "null", 3))
    assert [(m["type"], m["requestID"]) for m in got] == [
        ("a", "r-1"),
        ("b", "r-1"),
        ("load", "r-1"),
    ]
    (error,) = asyncio.run(exchange(registry, "bad", "null", 1))
    assert error["type"] == "generic_error" and error["requestID"] == "r-1"
    assert (
        "returns None, a dict, a Reply"
        in json.loads(json.loads(error["data"])["message"])["message"]
    )


def test_large_frames_are_gzipped_off_the_loop_and_keep_their_order(monkeypatch: Any) -> None:
    threads: list[tuple[int, bool]] = []
    real = session_module.to_frame

    def recording(envelope: str) -> str | bytes:
        threads.append((len(envelope), threading.current_thread() is loop_thread[0]))
        return real(envelope)

    monkeypatch.setattr(session_module, "to_frame", recording)
    loop_thread: list[threading.Thread] = []
    registry = Registry()
    big = "m" * (COMPRESSION_THRESHOLD * 50)

    @registry.handler("load")
    async def load(conn: Session, data: Any) -> Reply:
        loop_thread.append(threading.current_thread())
        conn.send("big", {"big": big}, conn.request_id)
        conn.send("small", {"small": "x"}, conn.request_id)
        return Reply("bigger", {"bigger": big + big})

    got = asyncio.run(exchange(registry, "load", "null", 3))
    assert [m["type"] for m in got] == ["big", "small", "bigger"]
    assert json.loads(got[2]["data"])["bigger"] == big + big
    large = [on_loop for size, on_loop in threads if size >= COMPRESSION_THRESHOLD]
    assert large == [False, False]  # both large frames were gzipped in a worker thread


def envelopes(frames: list[str | bytes]) -> list[dict[str, Any]]:
    return [json.loads(frame) for frame in frames if isinstance(frame, str)]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_the_handshake_sends_the_id_and_the_protocol_settings_user() -> None:
    async def scenario() -> list[str | bytes]:
        frames: list[str | bytes] = []
        Session(PROTOCOL, protocol_handlers(), frames.append).open()
        return frames

    sent = envelopes(asyncio.run(scenario()))
    assert [e["type"] for e in sent] == ["client_id", "user_privileges"]
    privileges = json.loads(json.loads(sent[1]["data"])["user_privileges"])
    assert privileges["userName"] == "Ada"
    assert privileges["privileges"] == ["READ_PROJECT"]
    # Both gate the 0.3.8 client's Run button (with the project's `persisted`).
    assert privileges["loggedIn"] is True
    assert privileges["hasPersistence"] is True


def test_limit_and_version_come_from_the_protocol_settings() -> None:
    async def scenario() -> list[str | bytes]:
        frames: list[str | bytes] = []
        session = Session(
            replace(PROTOCOL, max_message_size=100), protocol_handlers(), frames.append
        )
        session.receive(json.dumps({"requestID": "1", "type": "geppetto_version", "data": ""}))
        session.receive("x" * 101)
        await settle()
        return frames

    sent = {e["type"]: e for e in envelopes(asyncio.run(scenario()))}
    assert "9.9.9" in sent["geppetto_version"]["data"]
    assert "limit of 100 bytes" in sent["generic_error"]["data"]


def test_handlers_reach_the_application_through_their_connection() -> None:
    registry = Registry()
    seen: list[object] = []
    app = object()

    @registry.handler("who")
    async def who(conn: Session, data: Any) -> None:
        seen.append(conn.app)

    async def scenario() -> None:
        session = Session(PROTOCOL, registry, lambda frame: None, app=app)
        session.receive(json.dumps({"requestID": "1", "type": "who", "data": ""}))
        await settle()

    asyncio.run(scenario())
    assert seen == [app]


def test_a_raised_answer_is_the_reply_of_sync_and_async_handlers() -> None:
    registry = Registry()

    @registry.handler("sync")
    def refuse(conn: Session, data: Any) -> None:
        raise Answer(Reply("info_message", {"message": "no"}))

    @registry.handler("async")
    async def refuse_later(conn: Session, data: Any) -> None:
        raise Answer(Reply("info_message", {"message": "not now"}))

    async def scenario() -> list[str | bytes]:
        frames: list[str | bytes] = []
        session = Session(PROTOCOL, registry, frames.append)
        session.receive(json.dumps({"requestID": "1", "type": "sync", "data": ""}))
        session.receive(json.dumps({"requestID": "2", "type": "async", "data": ""}))
        await settle()
        return frames

    sent = sorted(envelopes(asyncio.run(scenario())), key=lambda e: e["requestID"])
    assert [(e["type"], e["requestID"]) for e in sent] == [
        ("info_message", "1"),
        ("info_message", "2"),
    ]
    assert "not now" in sent[1]["data"]
