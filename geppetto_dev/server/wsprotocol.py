"""Tornado's WebSocket protocol, closing with the codes RFC 6455 gives instead of cutting.

Two frames Tornado answers by closing the TCP connection at once:

- a text frame that is not UTF-8: it aborts without a close frame. Here it is a 1007 close.
- a frame over the size limit: it writes a 1009 close frame and closes the socket while the
  client is still sending the frame, so the kernel answers with a reset and the client sees a
  broken connection, not the 1009. Here the rest of the client's data is read and dropped (up
  to a bound) until the client closes, so the close frame arrives.

And one it closes unfairly: a pong is read like any frame, so while the server reads nothing
from a client because that client's requests already fill its share (max-requests-in-flight),
the pong waits unread and Tornado takes the client for gone. Here that pong is not missed.
"""

from __future__ import annotations

import asyncio

from tornado.ioloop import IOLoop
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketProtocol13

__all__ = ["LINGER_BYTES", "LINGER_SECONDS", "ClosingProtocol"]

# After a 1009, how much more of the client's data is read and dropped, and for how long.
LINGER_BYTES = 256 * 1024 * 1024
LINGER_SECONDS = 10.0


class ClosingProtocol(WebSocketProtocol13):
    _too_big = False
    _lingering = False
    _linger_task: asyncio.Future[None] | None = None
    # Set by the handler while it reads nothing because the client's requests are all running;
    # `_excused`: that was so at some point since the last ping.
    handlers_busy = False
    _excused = False

    def pause_for_handlers(self, paused: bool) -> None:
        self.handlers_busy = paused
        self._excused = self._excused or paused

    async def periodic_ping(self) -> None:
        """Tornado's, but a pong that came while the server was not reading is not missing."""
        interval, timeout = self.ping_interval, self.ping_timeout
        await asyncio.sleep(interval)
        while True:
            self._received_pong = False
            self._excused = self.handlers_busy
            ping_time = IOLoop.current().time()
            self.write_ping(b"")
            await asyncio.sleep(timeout)
            if timeout > 0 and not (self._received_pong or self._excused or self.handlers_busy):
                self.close(reason="ping timed out")
                return
            now = IOLoop.current().time()
            await asyncio.sleep(
                self.ping_sleep_time(last_ping_time=ping_time, interval=interval, now=now)
            )

    def _handle_message(self, opcode: int, data: bytes) -> asyncio.Future[None] | None:
        if opcode != 0x1 or self.client_terminated or self._frame_compressed:
            return super()._handle_message(opcode, data)
        self._message_bytes_in += len(data)
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError:
            self.close(1007, "text frame is not valid UTF-8")
            return None
        return self._run_callback(self.handler.on_message, decoded)

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        if code == 1009 and not self.server_terminated:
            self._too_big = True  # the _abort() that follows lingers instead
        super().close(code, reason)

    def _abort(self) -> None:
        if self._lingering:
            return  # the handler's close callback: _linger() closes the stream when done
        if not self._too_big or self.stream.closed():
            super()._abort()
            return
        self._lingering = True
        self.client_terminated = True
        self.server_terminated = True
        if self._waiting is not None:
            self.stream.io_loop.remove_timeout(self._waiting)
            self._waiting = None
        if self._ping_coroutine:
            self._ping_coroutine.cancel()
            self._ping_coroutine = None
        self._linger_task = asyncio.ensure_future(self._linger())

    async def _linger(self) -> None:
        """Drop what the client still sends, so it reads our close frame rather than a reset."""
        try:
            await asyncio.wait_for(self._discard(), LINGER_SECONDS)
        except (asyncio.TimeoutError, StreamClosedError):
            pass
        finally:
            self.stream.close()

    async def _discard(self) -> None:
        dropped = 0
        while dropped < LINGER_BYTES:
            chunk = await self.stream.read_bytes(65536, partial=True)
            dropped += len(chunk)
