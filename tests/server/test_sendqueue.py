"""The per-client send queue alone: its window, its budget, its drain signal.

The socket is the boundary: a write here returns a future the test completes, as Tornado's
does once the client's socket took the bytes.
"""

from __future__ import annotations

import asyncio

from geppetto_dev.server.sendqueue import WINDOW, WINDOW_FRAMES, SendQueue


class Socket:
    """What Tornado was handed, and a way to say the client read it."""

    def __init__(self) -> None:
        self.written: list[tuple[str | bytes, asyncio.Future[None]]] = []

    def write(self, frame: str | bytes) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.written.append((frame, future))
        return future

    def take(self, n: int | None = None) -> None:
        for _, future in self.written[:n]:
            if not future.done():
                future.set_result(None)


def run(coro: object) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]


def test_small_frames_go_to_the_socket_until_the_window_is_full() -> None:
    async def scenario() -> None:
        sock = Socket()
        queue = SendQueue(sock.write, 1_000_000)
        for i in range(WINDOW_FRAMES + 10):
            assert queue.put(f"reply {i}")
        assert len(sock.written) == WINDOW_FRAMES  # the rest waits, as plain strings
        assert queue.backlogged
        sock.take()
        await asyncio.sleep(0)
        assert len(sock.written) == WINDOW_FRAMES + 10 and not queue.backlogged

    run(scenario())


def test_one_frame_of_any_size_goes_out_alone() -> None:
    async def scenario() -> None:
        sock = Socket()
        queue = SendQueue(sock.write, 1000)
        assert queue.put(b"m" * (10 * WINDOW))  # a model far over the budget
        assert queue.put(b"small")  # waits behind it
        assert len(sock.written) == 1 and queue.waiting_bytes == 5
        assert queue.unread == 10 * WINDOW + 5

    run(scenario())


def test_past_the_budget_a_frame_is_refused_and_nothing_is_queued() -> None:
    async def scenario() -> None:
        sock = Socket()
        queue = SendQueue(sock.write, 1000)
        queue.put(b"x" * WINDOW)  # fills the window
        assert queue.put(b"a" * 600) and queue.put(b"b" * 400)  # exactly the budget waits
        assert not queue.put(b"c")
        assert queue.waiting_bytes == 1000
        unbounded = SendQueue(Socket().write, 0)
        unbounded.put(b"x" * WINDOW)
        assert all(unbounded.put(b"y" * 1000) for _ in range(100))

    run(scenario())


def test_drained_is_done_once_nothing_waits_or_the_queue_closes() -> None:
    async def scenario() -> None:
        sock = Socket()
        queue = SendQueue(sock.write, 0)
        assert queue.drained().done()
        queue.put(b"x" * WINDOW)
        queue.put(b"behind")
        drained = queue.drained()
        assert not drained.done()
        sock.take(1)
        await asyncio.sleep(0)
        assert drained.done() and queue.unread == len(b"behind")

        queue.put(b"y" * WINDOW)
        queue.put(b"z" * WINDOW)
        waiting = queue.drained()
        queue.close()
        assert waiting.done() and queue.waiting_bytes == 0
        assert queue.put(b"after the close")  # dropped without a word: the socket is going
        assert len(sock.written) == 3

    run(scenario())


def test_a_write_to_a_gone_socket_closes_the_queue() -> None:
    async def scenario() -> None:
        def broken(frame: str | bytes) -> asyncio.Future[None]:
            raise ConnectionError("gone")

        queue = SendQueue(broken, 0)
        queue.put("hello")
        assert queue.closed and queue.unread == 0

    run(scenario())
