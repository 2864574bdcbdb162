"""An HTTPServer whose shutdown finishes the requests it accepted instead of cutting them.

Tornado's `close_all_connections()` closes every connection at once, including one whose request
is being answered, or one accepted a moment before `stop()` whose request bytes are still on the
way. During a reload that is a dropped request. `drain()` waits (bounded) for requests in
progress to finish and for just-accepted connections to send their first request.

Kept-alive connections: closing one while it is idle races with the client's next request on
it, which then fails (http.client and most clients never retry a POST). So once stopped, an
answer not yet begun says `Connection: close` and its connection closes after it: the client
knows to open a new one, which the next server accepts. An idle kept-alive connection is given
to `hand_over` when there is one (the next server of a reload serves it: its next request gets
the new code, and the client never notices); without one it is closed, as any server does.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tornado import httputil
from tornado.http1connection import HTTP1Connection, HTTP1ServerConnection
from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream

__all__ = ["DrainingHTTPServer", "HandOver"]

# Takes a connection (a socket of its own; the server closed its copy) for another server.
HandOver = Callable[[socket.socket], None]


class _Connection:
    __slots__ = ("busy", "passed", "request", "served", "upgrade")

    def __init__(self, request: httputil.HTTPConnection) -> None:
        self.busy = False  # headers received, response not finished
        self.served = 0
        self.passed = False  # handed over to the next server
        self.upgrade = False  # its request asks for a WebSocket (101, never `Connection: close`)
        self.request = request  # the connection object of its current (or next) request


def _close_after_answer(request: httputil.HTTPConnection) -> None:
    """Have this answer say `Connection: close` and close the connection after it.

    Tornado decides that per request in `_disconnect_on_finish`, read when the answer's headers
    are written; once they are, the answer is left as it is.
    """
    if isinstance(request, HTTP1Connection) and request._response_start_line is None:
        request._disconnect_on_finish = True


class _Tracked(httputil.HTTPMessageDelegate):
    def __init__(
        self,
        inner: httputil.HTTPMessageDelegate,
        state: _Connection,
        server: DrainingHTTPServer,
    ) -> None:
        self.inner = inner
        self.state = state
        self.server = server

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        self.state.busy = True
        self.state.upgrade = headers.get("Upgrade", "").lower() == "websocket"
        if self.server.stopping and not self.state.upgrade:
            _close_after_answer(self.state.request)
        return self.inner.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self.inner.data_received(chunk)

    def finish(self) -> None:
        self.inner.finish()

    def on_connection_close(self) -> None:
        self.inner.on_connection_close()


class DrainingHTTPServer(HTTPServer):
    def initialize(self, *args: Any, **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self._states: dict[object, _Connection] = {}
        self.stopping = False
        self._hand_over: HandOver | None = None

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        # Called when a connection is ready for its next request: the previous one is answered.
        state = self._states.get(server_conn)
        if state is None:
            state = self._states[server_conn] = _Connection(request_conn)
        state.request = request_conn
        if state.busy:
            state.busy = False
            state.served += 1
        return _Tracked(super().start_request(server_conn, request_conn), state, self)

    def on_close(self, server_conn: object) -> None:
        self._states.pop(server_conn, None)
        super().on_close(server_conn)

    def stop(self, hand_over: HandOver | None = None) -> None:
        """Stop accepting. Answers not yet begun will close their connection; idle kept-alive
        connections go to `hand_over` (drain() passes on those that become idle later)."""
        self.stopping = True
        self._hand_over = hand_over
        super().stop()
        for server_conn, state in list(self._states.items()):
            if state.busy:
                if not state.upgrade:  # a WebSocket is closed with its own code instead
                    _close_after_answer(state.request)
            else:
                self._pass_on(server_conn, state)

    def _pass_on(self, server_conn: object, state: _Connection) -> bool:
        """Hand an idle kept-alive connection over; False while it cannot be (not idle yet)."""
        if state.passed or self._hand_over is None or not state.served or state.busy:
            return state.passed
        stream = getattr(server_conn, "stream", None)
        if (
            not isinstance(server_conn, HTTP1ServerConnection)
            or type(stream) is not IOStream
            or stream.closed()
            or stream.writing()  # the last answer is still on its way out
            or stream._read_buffer_size  # a request is arriving: it is answered here
        ):
            return False
        try:
            sock = stream.socket.dup()  # the connection stays open through this copy
        except OSError:
            return False
        state.passed = True
        stream.close()  # a bare close, no shutdown: the client sees nothing
        self._hand_over(sock)
        return True

    async def drain(
        self,
        timeout: float,
        first_request_timeout: float = 0.5,
        abort: asyncio.Event | None = None,
    ) -> bool:
        """After stop(): wait for answers in progress; True when nothing was left waiting.

        A connection accepted but silent gets `first_request_timeout` to send its request: a
        busy client may take a while after connect(), while a browser's speculative connection
        may never send one (under --reload the next server already answers meanwhile). A kept-
        alive connection that becomes idle is handed over, if stop() was given where to.
        `abort` set: stop waiting at once (a second Ctrl-C).
        """
        start = time.monotonic()
        while True:
            elapsed = time.monotonic() - start
            idle_kept = False
            for server_conn, state in list(self._states.items()):
                if self._hand_over is not None and state.served and not state.busy:
                    idle_kept |= not self._pass_on(server_conn, state)
            states = list(self._states.values())
            # A connection accepted a moment ago has no state until its serving task first
            # runs (tornado schedules it): count it as fresh, or it would be closed unanswered.
            unseen = any(c not in self._states for c in getattr(self, "_connections", ()))
            waiting = (
                idle_kept
                or any(s.busy for s in states)
                or (
                    elapsed < first_request_timeout
                    and (unseen or any(s.served == 0 for s in states))
                )
            )
            if not waiting:
                return True
            if elapsed >= timeout or (abort is not None and abort.is_set()):
                return False
            await asyncio.sleep(0.005)
