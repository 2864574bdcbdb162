"""An HTTPServer whose shutdown finishes the requests it accepted instead of cutting them.

Tornado's `close_all_connections()` closes every connection at once, including one whose request
is being answered, or one accepted a moment before `stop()` whose request bytes are still on the
way. During a reload that is a dropped request. `drain()` waits (bounded) for requests in
progress to finish and for just-accepted connections to send their first request; connections
left idle between requests are closed afterwards as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from tornado import httputil
from tornado.httpserver import HTTPServer

__all__ = ["DrainingHTTPServer"]


class _Connection:
    __slots__ = ("busy", "served")

    def __init__(self) -> None:
        self.busy = False  # headers received, response not finished
        self.served = 0


class _Tracked(httputil.HTTPMessageDelegate):
    def __init__(self, inner: httputil.HTTPMessageDelegate, state: _Connection) -> None:
        self.inner = inner
        self.state = state

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        self.state.busy = True
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

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        # Called when a connection is ready for its next request: the previous one is answered.
        state = self._states.setdefault(server_conn, _Connection())
        if state.busy:
            state.busy = False
            state.served += 1
        return _Tracked(super().start_request(server_conn, request_conn), state)

    def on_close(self, server_conn: object) -> None:
        self._states.pop(server_conn, None)
        super().on_close(server_conn)

    async def drain(self, timeout: float, first_request_timeout: float = 0.5) -> bool:
        """After stop(): wait for answers in progress; True when nothing was left waiting.

        A connection accepted but silent gets `first_request_timeout` to send its request: a
        busy client may take a while after connect(), while a browser's speculative connection
        may never send one (under --reload the next server already answers meanwhile).
        """
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            elapsed = loop.time() - start
            states = list(self._states.values())
            # A connection accepted a moment ago has no state until its serving task first
            # runs (tornado schedules it): count it as fresh, or it would be closed unanswered.
            unseen = any(c not in self._states for c in getattr(self, "_connections", ()))
            waiting = any(s.busy for s in states) or (
                elapsed < first_request_timeout and (unseen or any(s.served == 0 for s in states))
            )
            if not waiting:
                return True
            if elapsed >= timeout:
                return False
            await asyncio.sleep(0.005)
