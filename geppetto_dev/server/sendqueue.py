"""What the server holds for one WebSocket client: the frames it has not read yet, bounded.

Tornado keeps a Task and a Future per message it is asked to write (about 2.5 kB on top of the
frame) until the client's socket takes the bytes, so a client that sends requests but never
reads its replies would pile them up without bound: 100-byte replies cost 25 times their size.
So only a small window is handed to Tornado at a time (WINDOW bytes, WINDOW_FRAMES frames, or
one frame of any size); the rest waits here as plain frames, within the connection's budget.

`backlogged` is the transport's signal to stop reading the client's requests (the client is not
keeping up); past the budget the frame is refused and the transport closes the connection.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from functools import partial

__all__ = ["WINDOW", "WINDOW_FRAMES", "SendQueue"]

Frame = str | bytes
# Write one frame (Tornado's write_message); its future is done once the socket took the bytes.
Write = Callable[[Frame], "asyncio.Future[None]"]

# Handed to Tornado at once: enough to batch many small replies into one socket write.
WINDOW = 64 * 1024
WINDOW_FRAMES = 64


class SendQueue:
    """Frames for one client, in order: a small window written, the rest waiting (`limit`).

    `limit` bounds the bytes waiting behind the window; 0 means no bound. A frame that would
    take the waiting bytes past it is refused, unless nothing waits (one frame of any size may:
    the largest model the server sends must still reach a slow client).
    """

    def __init__(self, write: Write, limit: int) -> None:
        self._write = write
        self.limit = limit
        self._waiting: deque[Frame] = deque()
        self.waiting_bytes = 0
        self.written_bytes = 0  # handed to Tornado, not yet taken by the socket
        self._written_frames = 0
        self._drained: list[asyncio.Future[None]] = []
        self.closed = False

    @property
    def unread(self) -> int:
        """Bytes this process holds for the client: written to Tornado and waiting here."""
        return self.written_bytes + self.waiting_bytes

    @property
    def backlogged(self) -> bool:
        """The window is full and frames wait: the client reads slower than it is sent."""
        return bool(self._waiting)

    def put(self, frame: Frame) -> bool:
        """Queue a frame; False (nothing queued) when it would go past the budget."""
        if self.closed:
            return True  # dropped: the connection is going away
        size = len(frame)
        if self.limit and self._waiting and self.waiting_bytes + size > self.limit:
            return False
        self._waiting.append(frame)
        self.waiting_bytes += size
        self._pump()
        return True

    def drained(self) -> asyncio.Future[None]:
        """Done once nothing waits behind the window (or the queue is closed)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.closed or not self._waiting:
            waiter.set_result(None)
        else:
            self._drained.append(waiter)
        return waiter

    def close(self) -> None:
        """Drop what waits (its memory goes now) and release whoever waits for a drain."""
        self.closed = True
        self._waiting.clear()
        self.waiting_bytes = 0
        self._wake()

    def _pump(self) -> None:
        while self._waiting and not self.closed and self._has_room():
            frame = self._waiting.popleft()
            size = len(frame)
            self.waiting_bytes -= size
            try:
                written = self._write(frame)
            except Exception:  # the socket is gone (WebSocketClosedError): so is what waits
                self.close()
                return
            self.written_bytes += size
            self._written_frames += 1
            written.add_done_callback(partial(self._sent, size))
        if not self._waiting:
            self._wake()

    def _has_room(self) -> bool:
        if self._written_frames == 0:
            return True
        return self.written_bytes < WINDOW and self._written_frames < WINDOW_FRAMES

    def _sent(self, size: int, done: asyncio.Future[None]) -> None:
        self.written_bytes -= size
        self._written_frames -= 1
        if not done.cancelled():
            done.exception()  # retrieved: a write to a closed socket is not worth a log line
        self._pump()

    def _wake(self) -> None:
        waiters, self._drained = self._drained, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
