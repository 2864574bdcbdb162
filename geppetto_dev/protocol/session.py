"""One client connection, independent of the transport: handshake, dispatch, error replies.

Each request is handled in its own task so a slow handler never holds up the next message;
synchronous handlers run in a thread pool so they never block the event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from geppetto_dev.config import Settings
from geppetto_dev.protocol import messages
from geppetto_dev.protocol.envelope import (
    ProtocolError,
    Request,
    decode_request,
    encode_envelope,
    file_frame,
    to_frame,
)
from geppetto_dev.protocol.registry import Registry, Reply

log = logging.getLogger("geppetto_dev.protocol")

Write = Callable[[str | bytes], None]


class Session:
    """What a handler gets as `conn`: send replies and pushes, keep per-connection state."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        write: Write,
        *,
        executor: Executor | None = None,
        show_tracebacks: bool | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.client_id = uuid.uuid4().hex
        self.state: dict[str, Any] = {}
        self._write = write
        self._executor = executor
        self._loop = asyncio.get_running_loop()
        self._tasks: set[asyncio.Task[None]] = set()
        self._show_tracebacks = (
            settings.show_tracebacks if show_tracebacks is None else show_tracebacks
        )

    # Outbound -------------------------------------------------------------------------------

    def send(self, kind: str, payload: Any, request_id: str | None = None) -> None:
        """Send a message; safe to call from a handler running in a worker thread."""
        self._emit(to_frame(encode_envelope(kind, payload, request_id)))

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
            show_traceback=self._show_tracebacks,
            error_id=request_id,
        )
        self.send(messages.GENERIC_ERROR, payload, request_id)

    def _emit(self, frame: str | bytes) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._write(frame)
        else:
            self._loop.call_soon_threadsafe(self._write, frame)

    # Inbound --------------------------------------------------------------------------------

    def open(self) -> None:
        """The handshake the client waits for: its id, then what the user may do."""
        self.send(messages.CLIENT_ID, messages.client_id(self.client_id))
        self.send(
            messages.USER_PRIVILEGES,
            messages.user_privileges(self.settings.user_name, self.settings.privileges),
        )

    def receive(self, frame: str | bytes) -> None:
        """Accept one inbound frame; never raises, every problem becomes a `generic_error`."""
        if len(frame) > self.settings.max_message_size:
            self.send_error(
                "MESSAGE_TOO_LARGE",
                f"message of {len(frame)} bytes exceeds the limit of "
                f"{self.settings.max_message_size} bytes",
            )
            return
        try:
            request = decode_request(frame)
        except ProtocolError as exc:
            self.send_error(exc.error_code, exc.message, exc.request_id)
            return
        task = self._loop.create_task(self._dispatch(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, request: Request) -> None:
        func = self.registry.get(request.type)
        if func is None:
            self.send_error(
                "UNKNOWN_TYPE", f"no handler for message type {request.type!r}", request.request_id
            )
            return
        try:
            if inspect.iscoroutinefunction(func):
                result = await func(self, request.data)
            else:
                result = await self._loop.run_in_executor(self._executor, func, self, request.data)
                if inspect.isawaitable(result):
                    result = await result
        except Exception as exc:
            log.exception("handler for %r failed (requestID %s)", request.type, request.request_id)
            self.send_error(
                "HANDLER_ERROR",
                f"the handler for {request.type!r} failed: {exc}",
                request.request_id,
                exception=exc,
            )
            return
        self._send_result(request, result)

    def _send_result(self, request: Request, result: Any) -> None:
        if result is None:
            return
        if isinstance(result, Reply):
            self.send(result.type, result.payload, request.request_id)
        else:
            self.send(request.type, result, request.request_id)

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
