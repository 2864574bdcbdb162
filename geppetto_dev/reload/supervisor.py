"""`serve --reload`: own the port, watch the sources, replace the server child on each save.

The supervisor binds the listening sockets once (or is handed them) and keeps them for the
whole session, so a request made during a reload waits in the kernel's queue and is answered by
the new server, never refused. Server children come from workers.py (forked from a fork server
that has already imported the server stack, or spawned).

A reload: compile the changed files (a file that does not compile keeps the running server and
shows the error), tell the running child to close its live-reload sockets, fork the new child
(which imports the new code meanwhile), SIGTERM the old group, let the new child accept as soon
as the old one stopped accepting, then wait (bounded) for the old one to finish its requests
and SIGKILL what is left.

This module is the loop and the policy only. Everything happens on the main thread, in one
`match` over the events of messages.py; watcher threads, channel readers and signal handlers
only post events. Tests replace the event source and the workers (`events=`, `workers=`).
"""

from __future__ import annotations

import contextlib
import queue
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn, TextIO

from geppetto_dev.config import Settings
from geppetto_dev.procs.signals import on_stop_signals
from geppetto_dev.reload.compilecheck import compile_error
from geppetto_dev.reload.messages import (
    Changes,
    Event,
    Exited,
    FrontendBuilt,
    Go,
    Loaded,
    Preloaded,
    Reload,
    ShowFailure,
    Stop,
    WatchError,
)
from geppetto_dev.reload.watch import Watcher, WatchPlan, plan_watch
from geppetto_dev.reload.workers import STOP_GRACE, Worker, WorkerPool, Workers

__all__ = ["CRASH_WINDOW", "Inbox", "Supervisor"]

# A child that dies this soon after it started is not restarted until the next change.
CRASH_WINDOW = 1.0


class Inbox:
    """The supervisor's events, posted from any thread, read in order by its loop.

    Saves that queued up while a reload ran come out as one Changes: one reload, not several.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def __iter__(self) -> Iterator[Event]:
        pending: Event | None = None
        while True:
            if pending is not None:
                event, pending = pending, None
            else:
                try:
                    # A timeout, so that signal handlers get to run on a quiet main thread.
                    event = self._queue.get(timeout=0.5)
                except queue.Empty:
                    continue
            if isinstance(event, Changes):
                paths = set(event.paths)
                while pending is None:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if isinstance(more, Changes):
                        paths |= more.paths
                    else:
                        pending = more
                event = Changes(frozenset(paths))
            yield event


def _unhandled(event: NoReturn) -> NoReturn:
    """mypy checks that the loop's match handles every Event (typing.assert_never, 3.11+)."""
    raise AssertionError(f"unhandled event {event!r}")


@dataclass
class _State:
    child: Worker | None = None
    broken: dict[Path, str] = field(default_factory=dict)
    stopping: bool = False


class Supervisor:
    """Run `serve --reload` in this (main) thread until SIGINT or SIGTERM; run() returns 0.

    `sockets`: listening sockets bound by the caller (`serve --build-watch` binds them in its
    parent), else bound here. `events`: a scripted event source instead of the file watcher,
    the signals and the workers' reports; `workers`: where server children come from. Both are
    for tests: they replay Changes / Loaded / Exited against fake workers in milliseconds.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sockets: list[socket.socket] | None = None,
        events: Iterable[Event] | None = None,
        workers: WorkerPool | None = None,
        out: TextIO | None = None,
        err: TextIO | None = None,
        use_forkserver: bool = True,
        preload: bool = True,
    ) -> None:
        self.settings = settings
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.use_forkserver = use_forkserver
        # Import the project's unwatched dependencies in the fork server after the first load.
        self.preload = preload
        self._sockets = sockets
        self._inbox = Inbox()
        self._scripted = events
        self._workers = workers
        self._state = _State()
        self._plan: WatchPlan | None = None
        # Set once the first server child has been told to accept connections.
        self.started = threading.Event()

    # --- the public surface -------------------------------------------------------------------

    def post(self, event: Event) -> None:
        """Hand the loop an event. Safe from any thread and from signal handlers."""
        self._inbox.put(event)

    def notify_frontend_built(self) -> None:
        """Reload every open page: a frontend build finished. Safe from any thread."""
        self.post(FrontendBuilt())

    def request_stop(self) -> None:
        """Stop the session as Ctrl-C would. Safe from any thread and from signal handlers."""
        self.post(Stop())

    def run(self) -> int:
        self._plan = plan_watch(self.settings)
        if self._sockets is None:
            from geppetto_dev.server.run import bind

            self._sockets = bind(self.settings)  # a busy port is one line, before any process
        for sock in self._sockets:
            sock.set_inheritable(True)
        if self._workers is None:
            self._workers = Workers(
                self.settings,
                self._sockets,
                self.post,
                say=self._say,
                use_forkserver=self.use_forkserver,
            )
        workers = self._workers
        watcher = None
        if self._scripted is None:
            watcher = Watcher(
                self._plan,
                lambda paths: self.post(Changes(frozenset(paths))),
                on_error=lambda message: self.post(WatchError(message)),
            )
        restore = on_stop_signals(self.request_stop)
        try:
            self._say(f"Watching for changes in {self._plan.describe()}")
            if watcher is not None:
                watcher.start()  # registers its watches while the fork server imports the stack
            workers.start()
            first = workers.fresh_child()
            if watcher is not None and not watcher.wait_ready(10):
                self._say("warning: the file watcher is slow to start", error=True)
            first.send(Go())
            self._state.child = first
            self.started.set()
            self._loop(self._inbox if self._scripted is None else self._scripted)
        finally:
            if watcher is not None:
                watcher.stop()
            self._shutdown(workers)
            restore()
        return 0

    # --- the loop -----------------------------------------------------------------------------

    def _loop(self, events: Iterable[Event]) -> None:
        for event in events:
            match event:
                case Stop():
                    return
                case Changes(paths):
                    self._on_changes(set(paths))
                case FrontendBuilt():
                    self._say("Frontend build finished; reloading open pages.")
                    if self._state.child is not None:
                        self._state.child.send(Reload())
                case Loaded():
                    self._on_loaded(event)
                case Exited(pid, code):
                    self._on_exited(pid, code)
                case Preloaded(tainted=str() as reason):
                    self._say(
                        f"warning: {reason} while preloading the project's dependencies; the "
                        "next reload starts a clean fork server, without preloading.",
                        error=True,
                    )
                case Preloaded():
                    pass
                case WatchError(message):
                    self._say(f"warning: {message}", error=True)
                case _:
                    _unhandled(event)

    def _on_changes(self, changed: set[Path]) -> None:
        names = ", ".join(sorted(f"'{self._show(p)}'" for p in changed))
        self._say(f"Detected changes in {names}. Reloading...")
        broken = self._state.broken
        for path in changed | set(broken):
            error = compile_error(path) if path.exists() else None
            if error:
                broken[path] = error
            else:
                broken.pop(path, None)
        if broken:
            text = "\n\n".join(broken.values())
            self._say(f"{text}\nNot reloaded: the previous server keeps running.", error=True)
            if self._state.child is not None:
                self._state.child.send(ShowFailure(text))
            return
        self._restart(changed)

    def _restart(self, changed: set[Path]) -> None:
        workers = self._pool
        old = self._state.child
        renew = None
        if workers.tainted():
            # Forking a process with threads can deadlock the child: start a clean one.
            renew = "Restarting the fork server, without preloading."
            self.preload = False
        elif any(p.resolve() in workers.stack_files() for p in changed):
            # The stack itself is being edited: a fork would run the old code.
            renew = "The server stack itself changed; restarting the fork server."
        if old is not None:
            old.begin_closing()
        if renew is not None:
            # The fork server's children die with it, so ours stops first.
            self._say(renew)
            if old is not None:
                old.stop()
                old = None
            workers.renew()
        new = workers.fresh_child()  # it imports the new code while the old server stops
        if old is not None:
            old.terminate()
            # The new server may accept as soon as the old one stopped accepting; the old one
            # still finishes the requests it had, within the bounded wait of stop().
            old.released.wait(STOP_GRACE)
        new.send(Go())
        self._state.child = new
        if old is not None:
            old.stop()

    def _on_loaded(self, loaded: Loaded) -> None:
        child = self._pool.child(loaded.pid)
        if child is not None and child is self._state.child and not loaded.ok:
            self._say(
                "The app failed to load; serving an error page until the next save.", error=True
            )
        self._preload(loaded)

    def _preload(self, loaded: Loaded) -> None:
        """Have the fork server import the project's dependencies that are not watched sources."""
        if not self.preload or self._plan is None:
            return
        stack = self._pool.stack_files()
        source = self._plan.filter
        names = [
            name
            for name, file in loaded.modules
            if Path(file) not in stack and not source.accepts(Path(file))
        ]
        if names:
            self._pool.preload(names, list(loaded.sys_path))

    def _on_exited(self, pid: int, code: int | None) -> None:
        workers = self._pool
        child = workers.child(pid)
        workers.forget(pid)
        if child is None or child is not self._state.child:
            return
        if child.stopping or self._state.stopping:
            return
        code = code if code is not None else child.exit_code
        shown = "" if code is None else f" (exit code {code})"
        child.discard()
        if time.monotonic() - child.started < CRASH_WINDOW:
            self._state.child = None
            self._say(
                f"The server exited right after starting{shown}; waiting for the next save.",
                error=True,
            )
            return
        self._say(f"The server exited unexpectedly{shown}; starting a new one.", error=True)
        new = workers.fresh_child()
        new.send(Go())
        self._state.child = new

    # --- the rest -----------------------------------------------------------------------------

    @property
    def _pool(self) -> WorkerPool:
        assert self._workers is not None, "run() makes the workers"
        return self._workers

    def _shutdown(self, workers: WorkerPool) -> None:
        self._state.stopping = True
        workers.stop_all()
        for sock in self._sockets or ():
            sock.close()

    def _show(self, path: Path) -> str:
        for root in (
            self.settings.project_dir.resolve(),
            *(self._plan.roots if self._plan else ()),
        ):
            with contextlib.suppress(ValueError):
                return str(path.relative_to(root))
        return str(path)

    def _say(self, message: str, *, error: bool = False) -> None:
        stream = self.err if error else self.out
        print(message, file=stream, flush=True)
