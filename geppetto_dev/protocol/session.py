"""One client connection, independent of the transport: handshake, dispatch, error replies.

Each request is handled in its own task so a slow handler never holds up the next message;
synchronous handlers run in a thread pool so they never block the event loop. Frames leave in
the order they were sent, but a large one is gzipped in a worker thread (a model of a few
megabytes takes tens of milliseconds to compress, which would stall every other connection).
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from geppetto_dev.protocol import messages
from geppetto_dev.protocol.envelope import (
    COMPRESSION_THRESHOLD,
    ProtocolError,
    Request,
    decode_request,
    encode_envelope,
    file_frame,
    to_frame,
)
from geppetto_dev.protocol.registry import Answer, Registry, Reply

__all__ = ["ProtocolSettings", "Session", "Write"]

log = logging.getLogger("geppetto_dev.protocol")

Write = Callable[[str | bytes], None]
Frame = str | bytes

# The request being handled, per task (and copied into the worker thread of a synchronous
# handler), so `conn.request_id` is right even with several requests in flight at once.
_current_request: contextvars.ContextVar[Request | None] = contextvars.ContextVar(
    "geppetto_request", default=None
)


@dataclass(frozen=True)
class ProtocolSettings:
    """The few settings a connection itself acts on; the application's are its own."""

    user_name: str = "Python User"
    privileges: tuple[str, ...] = ()
    # False for a visitor who has not logged in (accounts mode): the client offers no editing.
    logged_in: bool = True
    geppetto_version: str = "0.3.8"
    max_message_size: int = 10 * 1024 * 1024
    # Whether errors may carry tracebacks to this client: the transport decides, per client.
    show_tracebacks: bool = False


# How much of a client's input an error message repeats (a type name, say).
ECHO_LIMIT = 100


def shown(text: str) -> str:
    """`text` quoted for an error message, cut to ECHO_LIMIT characters."""
    if len(text) <= ECHO_LIMIT:
        return repr(text)
    return f"{text[:ECHO_LIMIT]!r}... ({len(text)} characters)"


def exceeds(frame: str | bytes, limit: int) -> bool:
    """Whether the frame is over `limit` bytes; text counts in UTF-8, encoded only when needed."""
    if len(frame) > limit:
        return True
    if isinstance(frame, bytes) or len(frame) * 4 <= limit:
        return False
    return len(frame.encode("utf-8", "surrogatepass")) > limit


class Session:
    """What a handler gets as `conn`: send replies and pushes, keep per-connection state."""

    def __init__(
        self,
        protocol: ProtocolSettings,
        registry: Registry,
        write: Write,
        *,
        executor: Executor | None = None,
        app: Any = None,
    ) -> None:
        self.protocol = protocol
        self.registry = registry
        # The application this connection belongs to: its services, for handlers (`conn.app`).
        # The protocol never looks inside it.
        self.app = app
        self.client_id = uuid.uuid4().hex
        self.state: dict[str, Any] = {}
        self._write = write
        self._executor = executor
        self._loop = asyncio.get_running_loop()
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiters: list[asyncio.Future[None]] = []  # for a request in flight to finish
        # Frames waiting to be written, in send order; a Future is a frame being gzipped.
        self._outbox: deque[Frame | asyncio.Future[Frame]] = deque()
        self._on_close: list[Callable[[], None]] = []

    # The request being handled ----------------------------------------------------------------

    @property
    def request(self) -> Request | None:
        """The request the calling handler answers (None outside a handler).

        `request.raw_data` is `data` as the client sent it: `load_project_from_url` "42" is
        the string "42" there, while the decoded data a handler gets is the number 42.
        """
        return _current_request.get()

    @property
    def request_id(self) -> str | None:
        """The requestID of the request being handled, for messages sent before the return:
        `conn.send("project_loaded", payload, conn.request_id)`."""
        current = _current_request.get()
        return current.request_id if current is not None else None

    # Outbound -------------------------------------------------------------------------------

    def send(self, kind: str, payload: Any, request_id: str | None = None) -> None:
        """Send a message; safe to call from a handler running in a worker thread."""
        self._emit_envelope(encode_envelope(kind, payload, request_id))

    def send_file(self, filename: str, content: bytes) -> None:
        """A download in the client's binary file format."""
        self._emit(file_frame(filename, content))

    def send_error(
        self,
        error_code: str,
        message: str,
        request_id: str | None = None,
        exception: BaseException | None = None,
    ) -> None:
        payload = messages.generic_error(
            error_code,
            message,
            exception=exception,
            show_traceback=self.protocol.show_tracebacks,
            error_id=request_id,
        )
        self.send(messages.GENERIC_ERROR, payload, request_id)

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _emit_envelope(self, envelope: str) -> None:
        if len(envelope) >= COMPRESSION_THRESHOLD and self._on_loop():
            # Compress in a worker; the outbox keeps later frames behind this one.
            future = self._loop.run_in_executor(self._executor, to_frame, envelope)
            self._outbox.append(future)
            future.add_done_callback(lambda _: self._flush())
            self._flush()
        else:
            # Small, or already in a worker thread: framing here costs the loop nothing.
            self._emit(to_frame(envelope))

    def _emit(self, frame: Frame) -> None:
        if self._on_loop():
            self._outbox.append(frame)
            self._flush()
        else:
            try:
                self._loop.call_soon_threadsafe(self._emit, frame)
            except RuntimeError:  # the loop is closed: the connection is gone
                log.debug("dropped a message to a closed connection")

    def _emit_all(self, frames: Sequence[Frame]) -> None:
        for frame in frames:
            self._emit(frame)

    def _flush(self) -> None:
        while self._outbox:
            head = self._outbox[0]
            if isinstance(head, asyncio.Future):
                if not head.done():
                    return  # its done-callback flushes again
                if head.cancelled() or head.exception() is not None:
                    self._outbox.popleft()
                    log.error("could not compress a message: %r", head)
                    continue
                frame = head.result()
            else:
                frame = head
            self._outbox.popleft()
            self._write(frame)

    # Inbound --------------------------------------------------------------------------------

    def open(self) -> None:
        """The handshake the client waits for: its id, then what the user may do."""
        self.send(messages.CLIENT_ID, messages.client_id(self.client_id))
        self.send(
            messages.USER_PRIVILEGES,
            messages.user_privileges(
                self.protocol.user_name, self.protocol.privileges, logged_in=self.protocol.logged_in
            ),
        )

    def receive(self, frame: str | bytes) -> None:
        """Accept one inbound frame; never raises, every problem becomes a `generic_error`."""
        limit = self.protocol.max_message_size
        if exceeds(frame, limit):
            self.send_error(
                "MESSAGE_TOO_LARGE",
                f"message exceeds the limit of {limit} bytes",
            )
            return
        try:
            request = decode_request(frame)
        except ProtocolError as exc:
            self.send_error(exc.error_code, exc.message, exc.request_id)
            return
        task = self._loop.create_task(self._dispatch(request))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    @property
    def sending(self) -> bool:
        """Whether frames are still waiting to be written (a large one being gzipped)."""
        return bool(self._outbox)

    @property
    def in_flight(self) -> int:
        """Requests being handled now; a transport may stop reading while there are too many."""
        return len(self._tasks)

    def request_done(self) -> asyncio.Future[None]:
        """A future done as soon as one of the requests in flight finishes."""
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._waiters.append(waiter)
        return waiter

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _dispatch(self, request: Request) -> None:
        func = self.registry.get(request.type)
        if func is None:
            # As Java sends it: no requestID, so the 0.3.8 client shows the error instead of
            # handing it to the request's callback as if it were the reply (the error's `id`
            # still names the request).
            error = messages.generic_error(
                "UNKNOWN_TYPE",
                f"no handler for message type {shown(request.type)}",
                error_id=request.request_id,
            )
            self.send(messages.GENERIC_ERROR, error, None)
            return
        _current_request.set(request)
        try:
            if inspect.iscoroutinefunction(func):
                result = await _answered(func(self, request.data))
            else:
                context = contextvars.copy_context()
                # The replies are encoded (and gzipped) in the worker too, off the loop.
                result = await self._loop.run_in_executor(
                    self._executor, context.run, self._call_sync, func, request
                )
            if inspect.isawaitable(result):
                result = await result
            frames = result.frames if isinstance(result, _Frames) else None
            replies = [] if frames is not None else _replies(request, result)
            if frames is not None:
                self._emit_all(frames)
            for kind, payload in replies:  # encoding may fail too (a reply nested too deeply)
                self.send(kind, payload, request.request_id)
        except Exception as exc:
            # The exception's text may hold paths, SQL or secrets: it stays in the log, and the
            # client gets an id to find it there (and the traceback only in --dev, locally).
            error_id = uuid.uuid4().hex[:12]
            log.exception(
                "handler for %s failed (error id %s, requestID %s)",
                shown(request.type),
                error_id,
                request.request_id,
            )
            # A reply of the wrong shape is the framework's own message, safe to show.
            reason = f": {exc}" if isinstance(exc, BadReply) else ""
            self.send_error(
                "HANDLER_ERROR",
                f"the handler for {shown(request.type)} failed{reason} "
                f"(error id {error_id} in the server log)",
                request.request_id,
                exception=exc,
            )

    def _call_sync(self, func: Callable[..., Any], request: Request) -> Any:
        try:
            result = func(self, request.data)
        except Answer as answer:
            result = answer.reply
        if inspect.isawaitable(result):
            return _answered(result)
        return _Frames(
            [
                to_frame(encode_envelope(kind, payload, request.request_id))
                for kind, payload in _replies(request, result)
            ]
        )

    def on_close(self, callback: Callable[[], None]) -> None:
        """Call `callback` when the connection closes (what a handler keeps past it)."""
        self._on_close.append(callback)

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._outbox.clear()
        callbacks, self._on_close = self._on_close, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("a close callback of connection %s failed", self.client_id)


async def _answered(pending: Any) -> Any:
    """An async handler's result, or the reply it raised as an Answer."""
    try:
        return await pending
    except Answer as answer:
        return answer.reply


class BadReply(TypeError):
    """A handler returned something that is not a reply."""


class _Frames:
    """Replies a synchronous handler's worker thread has already encoded."""

    __slots__ = ("frames",)

    def __init__(self, frames: list[Frame]) -> None:
        self.frames = frames


def _replies(request: Request, result: Any) -> list[tuple[str, Any]]:
    """What a handler returned, as (type, payload) pairs, all answering `request`."""
    if result is None:
        return []
    items = result if isinstance(result, list | tuple) else [result]
    out: list[tuple[str, Any]] = []
    for item in items:
        if isinstance(item, Reply):
            out.append((item.type, item.payload))
        elif isinstance(item, dict):
            out.append((request.type, item))
        else:
            raise BadReply(
                f"a handler returns None, a dict, a Reply or a list of them, "
                f"not {type(item).__name__}"
            )
    return out
