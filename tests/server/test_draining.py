"""DrainingHTTPServer: the old server of a reload answers every connection it accepted."""

from __future__ import annotations

import asyncio
import socket

from tornado.iostream import IOStream
from tornado.web import Application, RequestHandler
from tornado.websocket import WebSocketHandler

from geppetto_dev.server.draining import DrainingHTTPServer


class Slow(RequestHandler):
    async def get(self) -> None:
        await asyncio.sleep(0.05)
        self.write("answered")


def _server() -> DrainingHTTPServer:
    return DrainingHTTPServer(Application([(r"/", Slow)]))


async def _shut_down(server: DrainingHTTPServer) -> bool:
    """What serve() does on SIGTERM, from stop() to closing every connection."""
    server.stop()
    drained = await server.drain(timeout=2.0)
    await server.close_all_connections()
    return drained


async def _read_all(sock: socket.socket) -> bytes:
    loop = asyncio.get_running_loop()
    data = b""
    while chunk := await loop.sock_recv(sock, 65536):
        data += chunk
    return data


REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_a_connection_accepted_just_before_shutdown_is_answered() -> None:
    async def scenario() -> tuple[bool, bytes]:
        server = _server()
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        theirs.sendall(REQUEST)
        # As tornado's accept handler does; the connection's serving task is only scheduled.
        server.handle_stream(IOStream(ours), ("127.0.0.1", 1))
        drained = await _shut_down(server)  # no chance for that task to run before this
        theirs.setblocking(False)
        answer = await _read_all(theirs)
        theirs.close()
        return drained, answer

    drained, answer = asyncio.run(scenario())
    assert drained
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b"answered")


def test_a_request_in_progress_is_finished_and_a_silent_connection_waited_for() -> None:
    async def scenario() -> tuple[bool, bytes, bytes]:
        server = _server()
        busy_ours, busy = socket.socketpair()
        quiet_ours, quiet = socket.socketpair()
        for sock in (busy_ours, quiet_ours):
            sock.setblocking(False)
        busy.sendall(REQUEST)
        server.handle_stream(IOStream(busy_ours), ("127.0.0.1", 1))
        server.handle_stream(IOStream(quiet_ours), ("127.0.0.1", 2))
        await asyncio.sleep(0.01)  # the busy request is now being answered
        shutdown = asyncio.ensure_future(_shut_down(server))
        await asyncio.sleep(0.1)
        quiet.sendall(REQUEST)  # a slow client, still within the first-request wait
        for sock in (busy, quiet):
            sock.setblocking(False)
        answers = await asyncio.gather(_read_all(busy), _read_all(quiet))
        drained = await shutdown
        busy.close()
        quiet.close()
        return drained, answers[0], answers[1]

    drained, busy_answer, quiet_answer = asyncio.run(scenario())
    assert drained
    assert busy_answer.endswith(b"answered")
    assert quiet_answer.endswith(b"answered")


async def _answer(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"answered"):
        chunk = await loop.sock_recv(sock, 65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    return data


def test_an_idle_kept_alive_connection_is_handed_over_and_the_client_notices_nothing() -> None:
    async def scenario() -> tuple[bool, bytes, bytes]:
        old, new = _server(), _server()
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        theirs.setblocking(False)
        old.handle_stream(IOStream(ours), ("127.0.0.1", 1))
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(theirs, REQUEST)
        first = await _answer(loop, theirs)
        # Idle between requests when the old server stops: the next server takes it over.
        old.stop(lambda sock: new.handle_stream(IOStream(sock), ("127.0.0.1", 1)))
        drained = await old.drain(timeout=2.0)
        await old.close_all_connections()
        await loop.sock_sendall(theirs, REQUEST)
        second = await _answer(loop, theirs)  # the same connection, answered by `new`
        new.stop()
        await new.close_all_connections()
        theirs.close()
        return drained, first, second

    drained, first, second = asyncio.run(scenario())
    assert drained
    for answer in (first, second):
        assert answer.startswith(b"HTTP/1.1 200 ") and b"Connection: close" not in answer


def test_an_answer_in_progress_at_the_stop_says_connection_close() -> None:
    async def scenario() -> tuple[bool, bytes]:
        server = _server()
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        theirs.setblocking(False)
        server.handle_stream(IOStream(ours), ("127.0.0.1", 1))
        await asyncio.get_running_loop().sock_sendall(theirs, REQUEST)
        await asyncio.sleep(0.01)  # the request is now being answered
        drained = await _shut_down(server)
        answer = await _read_all(theirs)  # ends: the connection closes after the answer
        theirs.close()
        return drained, answer

    drained, answer = asyncio.run(scenario())
    assert drained
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"answered")
    assert b"\r\nConnection: close\r\n" in answer  # the client knows not to reuse it


class SlowSocket(WebSocketHandler):
    async def prepare(self) -> None:
        await asyncio.sleep(0.05)  # the handshake is under way when the server stops

    def on_message(self, message: str | bytes) -> None:
        pass


def test_a_websocket_handshake_in_progress_at_the_stop_is_not_told_to_close() -> None:
    """A 101 that says `Connection: close` is no upgrade: the client fails the handshake."""

    async def scenario() -> bytes:
        server = DrainingHTTPServer(Application([(r"/ws", SlowSocket)]))
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        theirs.setblocking(False)
        server.handle_stream(IOStream(ours), ("127.0.0.1", 1))
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(theirs, UPGRADE)
        await asyncio.sleep(0.01)
        server.stop()
        head = b""
        while b"\r\n\r\n" not in head:
            head += await asyncio.wait_for(loop.sock_recv(theirs, 65536), 5)
        await server.close_all_connections()
        theirs.close()
        return head

    head = asyncio.run(scenario())
    assert head.startswith(b"HTTP/1.1 101 ")
    assert b"\r\nConnection: Upgrade\r\n" in head
    assert b"Connection: close" not in head


UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
