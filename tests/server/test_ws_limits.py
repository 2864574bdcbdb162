"""Bounds per WebSocket: close codes for bad frames, slow readers, silent clients, floods."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

from geppetto_dev.protocol import Registry
from geppetto_dev.protocol import session as session_module
from tests.server.rawws import BINARY, CLOSE, PING, PONG, TEXT, RawWebSocket, frame
from tests.support import wait_until


def open_raw(server: Any) -> RawWebSocket:
    ws = RawWebSocket(server.port, server.settings.websocket_path)
    assert ws.status == 101
    assert ws.recv().opcode == TEXT and ws.recv().opcode == TEXT  # client_id, user_privileges
    return ws


def request(kind: str, request_id: str, data: str = "null") -> bytes:
    return frame(TEXT, json.dumps({"requestID": request_id, "type": kind, "data": data}).encode())


def test_invalid_utf8_closes_with_1007(start_server: Any) -> None:
    ws = open_raw(start_server())
    ws.send_text(b'{"type": "geppetto_version", "data": "\xff\xfe"}')
    assert ws.recv_until_close().close_code == 1007


def test_a_frame_far_over_the_limit_gets_the_1009_close_not_a_reset(start_server: Any) -> None:
    ws = open_raw(start_server(max_message_size=1000))
    # Far more than the kernel buffers: the server must read it for sendall to finish.
    ws.send(frame(TEXT, b"x" * (16 * 1024 * 1024)))
    assert ws.recv_until_close().close_code == 1009


def test_a_client_that_does_not_read_is_closed_with_1008(
    start_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    registry = Registry()

    @registry.handler("flood")
    async def flood(conn: Any, data: Any) -> None:
        for i in range(40):  # 40 MB, more than the kernel's buffers hold
            conn.send_file(f"part-{i}.bin", b"\x00" * (1024 * 1024))

    ws = open_raw(start_server(registry=registry, max_send_buffer=1024 * 1024))
    ws.send(request("flood", "f-1"))
    files = 0
    while (received := ws.recv()).opcode != CLOSE:
        files += received.opcode == BINARY
    assert received.close_code == 1008
    assert received.payload[2:] == b"client too slow: send buffer full"
    assert files < 40
    closing = [r for r in caplog.records if "does not read what it is sent" in r.getMessage()]
    assert len(closing) == 1  # once, not per message refused


def test_a_client_that_reads_nothing_is_not_read_either(start_server: Any) -> None:
    registry = Registry()
    handled: list[Any] = []

    @registry.handler("big")
    async def big(conn: Any, data: Any) -> None:
        handled.append(data)
        conn.send_file("big.bin", b"\x00" * (4 * 1024 * 1024))

    ws = open_raw(start_server(registry=registry))
    ws.send(b"".join(request("big", f"b-{i}") for i in range(20)))  # 80 MB of replies
    seen = [-1]

    def settled() -> bool:
        time.sleep(0.5)
        count, seen[0] = seen[0], len(handled)
        return count == seen[0]

    wait_until(settled, 20, "the server to stop handling requests")
    # What the kernel's buffers took, two in flight and one queued: the rest waits unread in
    # the socket, not in the server.
    assert len(handled) < 10
    files = 0
    while files < 20:  # read: every one is answered
        received = ws.recv()
        assert received.opcode in (BINARY, PING)
        files += received.opcode == BINARY
    assert len(handled) == 20


def test_a_client_that_answers_no_ping_is_closed(start_server: Any) -> None:
    ws = open_raw(start_server(ping_interval=0.1, ping_timeout=0.1))
    opcodes = []
    while (received := ws.recv()).opcode != CLOSE:  # never answering the pings
        opcodes.append(received.opcode)
    assert PING in opcodes


def test_a_client_whose_requests_fill_its_share_is_not_taken_for_gone(start_server: Any) -> None:
    registry = Registry()
    release = threading.Event()

    @registry.handler("hold")
    async def hold(conn: Any, data: Any) -> dict[str, str]:
        await asyncio.get_running_loop().run_in_executor(None, release.wait, 10)
        return {"hold": "done"}

    server = start_server(registry=registry, ping_interval=0.2, ping_timeout=0.2)
    ws = open_raw(server)
    # Two run, the third waits unread, and so do the pongs sent meanwhile.
    ws.send(b"".join(request("hold", f"h-{i}") for i in range(3)))
    pings = 0
    while pings < 8:  # 1.6 s: several ping timeouts
        received = ws.recv()
        assert received.opcode == PING, received
        ws.send(frame(PONG, received.payload))
        pings += 1
    release.set()
    replies = set()
    while len(replies) < 3:
        received = ws.recv()
        if received.opcode == PING:
            ws.send(frame(PONG, received.payload))
        else:
            replies.add(json.loads(received.payload)["requestID"])
    assert replies == {"h-0", "h-1", "h-2"}


def test_requests_in_flight_per_connection_are_capped(start_server: Any) -> None:
    registry = Registry()
    cap = 4
    gate: dict[str, asyncio.Event] = {}
    counts = {"active": 0, "peak": 0}
    reached = threading.Event()

    @registry.handler("hold")
    async def hold(conn: Any, data: Any) -> dict[str, str]:
        counts["active"] += 1
        counts["peak"] = max(counts["peak"], counts["active"])
        if counts["active"] >= cap:
            reached.set()
        await gate.setdefault("open", asyncio.Event()).wait()
        counts["active"] -= 1
        return {"hold": "done"}

    server = start_server(registry=registry, max_requests_in_flight=cap)
    ws = open_raw(server)
    # In one write, so the server has every request before any handler runs.
    ws.send(b"".join(request("hold", f"h-{i}") for i in range(3 * cap)))
    assert reached.wait(10)
    server._loop.call_soon_threadsafe(lambda: gate.setdefault("open", asyncio.Event()).set())
    replies = [json.loads(ws.recv().payload) for _ in range(3 * cap)]
    assert sorted(r["requestID"] for r in replies) == sorted(f"h-{i}" for i in range(3 * cap))
    assert counts["peak"] == cap


def test_large_replies_of_an_async_handler_are_gzipped_off_the_loop(
    start_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = Registry()
    threads: list[tuple[int, threading.Thread]] = []
    real = session_module.to_frame

    def recording(envelope: str) -> str | bytes:
        threads.append((len(envelope), threading.current_thread()))
        return real(envelope)

    monkeypatch.setattr(session_module, "to_frame", recording)

    @registry.handler("big")
    async def big(conn: Any, data: Any) -> None:
        for i in range(10):
            conn.send("big", {"big": str(i) * (1024 * 1024)})

    server = start_server(registry=registry)
    ws = open_raw(server)
    ws.send(request("big", "b-1"))
    frames = [ws.recv() for _ in range(10)]
    assert all(f.opcode == BINARY and f.payload[:1] == b"\x00" for f in frames)
    large = [thread for size, thread in threads if size > 1024 * 1024]
    assert len(large) == 10
    assert server._thread not in large
