"""Holding the Geppetto conversation with an application in-process, for tests.

    with GeppettoApp.load(settings) as app, app.test_client() as client:
        replies = client.ask("load_project_from_id", {"projectId": 1})

The client is a real protocol `Session` of the application, on an event loop of its own in a
background thread; only the WebSocket is left out. Replies come back decoded: the envelope as
a dict whose `data` is parsed JSON, a file download as (filename, bytes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Coroutine
from concurrent.futures import Executor, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Protocol, TypeVar

from geppetto_dev.projects.viewer import Viewer
from geppetto_dev.protocol.envelope import read_frame
from geppetto_dev.protocol.session import Session, Write

__all__ = ["Message", "TestClient"]

Message = dict[str, Any] | tuple[str, bytes]
T = TypeVar("T")


class _App(Protocol):
    """What the client needs of a GeppettoApp."""

    def start(self) -> object: ...

    def session(
        self,
        write: Write,
        *,
        executor: Executor | None = None,
        show_tracebacks: bool = False,
        viewer: Viewer | None = None,
    ) -> Session: ...


class TestClient:
    __test__ = False  # not a pytest test class

    def __init__(self, app: _App, viewer: Viewer | None = None) -> None:
        self.app = app
        self.viewer = viewer
        app.start()
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(4, thread_name_prefix="geppetto-test-client")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.session = self._call(self._open(), 10.0)

    async def _open(self) -> Session:
        session = self.app.session(
            self._write, executor=self._pool, show_tracebacks=True, viewer=self.viewer
        )
        session.open()
        return session

    def _write(self, frame: str | bytes) -> None:
        message = read_frame(frame)
        if isinstance(message, dict) and isinstance(message.get("data"), str):
            with contextlib.suppress(ValueError):  # not JSON: kept as the text it is
                message = {**message, "data": json.loads(message["data"])}
        with self._lock:
            self.messages.append(message)

    def _call(self, work: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)

    def ask(
        self, kind: str, data: Any = None, *, request_id: str = "1", timeout: float = 30.0
    ) -> list[Message]:
        """Send one request; the messages sent until it is answered, in order."""
        with self._lock:
            start = len(self.messages)
        frame = {"requestID": request_id, "type": kind}
        if data is not None:
            frame["data"] = data if isinstance(data, str) else json.dumps(data)
        self._call(self._exchange(json.dumps(frame)), timeout)
        with self._lock:
            return self.messages[start:]

    async def _exchange(self, frame: str) -> None:
        self.session.receive(frame)
        while self.session.in_flight or self.session.sending:
            await asyncio.sleep(0.002)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self.session.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5.0)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> TestClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
