"""`serve --reload`: own the port, watch the sources, replace the server child on each save.

The supervisor binds the listening sockets once (or is handed them) and keeps them for the
whole session, so a request made during a reload waits in the kernel's queue and is answered by
the new server, never refused. Server children come from workers.py (forked from a fork server
that imported the server stack already, or spawned).

A reload: compile the changed files (one that does not compile keeps the running server and
shows the error), tell the running child to close its live-reload sockets, fork the new child
(importing the new code meanwhile), SIGTERM the old group, let the new child accept once the
old one stopped accepting (handing it its idle kept-alive connections); the old one finishes
its requests in the background (up to `drain-timeout`), or is SIGKILLed.

A server that dies at startup (before it has run CRASH_WINDOW seconds since loading) is tried
again after each of RESTART_DELAYS; if it keeps dying, a server that never imports the project
answers every request with an error page until the next save. Requests never wait for a
server that is not coming: while none is up they queue on the listening socket.

This module is the loop and the policy only. Everything happens on the main thread, in one
`match` over the events of messages.py; watcher threads, channel readers and signal handlers
only post events. Tests replace the event source and the workers (`events=`, `workers=`).
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TextIO

from geppetto_dev.config import Settings
from geppetto_dev.problems import BUILD, PYTHON, Problem
from geppetto_dev.procs.signals import on_stop_signals
from geppetto_dev.reload.compilecheck import recheck
from geppetto_dev.reload.inbox import Inbox, Timers
from geppetto_dev.reload.messages import (
    Changes,
    Event,
    Exited,
    FrontendBuilt,
    FrontendFailed,
    Go,
    Loaded,
    Preloaded,
    Reload,
    Respawn,
    ShowProblems,
    Stop,
    WatchError,
)
from geppetto_dev.reload.settings_change import SESSION_SETTINGS, reread_settings
from geppetto_dev.reload.watch import Watcher, WatchPlan, plan_watch
from geppetto_dev.reload.workers import STOP_GRACE, Worker, WorkerPool, Workers

__all__ = ["CRASH_WINDOW", "DRAIN_MARGIN", "RESTART_DELAYS", "Supervisor"]

# A server exiting sooner than this after loading (or before) died at startup: a crash.
CRASH_WINDOW = 1.0
# Seconds before each new try after consecutive crashes at startup; one more crash and an error
# page is served instead, until the next save (no busy loop of an app that exits at import).
RESTART_DELAYS = (0.0, 0.5, 2.0)
# A replaced server gets drain-timeout for its requests, plus this long to close and exit.
DRAIN_MARGIN = 3.0

Later = Callable[[float, Event], None]


def _unhandled(event: NoReturn) -> NoReturn:
    """mypy checks that the loop's match handles every Event (typing.assert_never, 3.11+)."""
    raise AssertionError(f"unhandled event {event!r}")


@dataclass
class _State:
    child: Worker | None = None
    broken: dict[Path, Problem] = field(default_factory=dict)
    # The errors of the last frontend build, shown by every server until a build succeeds.
    build_problems: tuple[Problem, ...] = ()
    stopping: bool = False
    # The current child serves the error page of servers that kept dying.
    fallback: bool = False
    # Crashes at startup in a row, and the Respawn that is awaited (an older one is stale).
    crashes: int = 0
    respawn: int | None = None
    # The server a reload started, and when the change was seen: "Reloaded in ..." once it loads.
    reloading: tuple[Worker, float] | None = None


class Supervisor:
    """Run `serve --reload` in this (main) thread until SIGINT or SIGTERM; run() returns 0.

    `sockets`: listening sockets bound by the caller (`serve --build-watch` binds them in its
    parent), else bound here. `events`: a scripted event source instead of the file watcher,
    the signals and the workers' reports; `workers`: where server children come from; `later`:
    how an event is posted after a delay (a timer). All three are for tests: they replay
    Changes / Loaded / Exited / Respawn against fake workers in milliseconds. `overrides`: the
    command line's settings, still winning when an edited pyproject.toml is read again;
    `fixed`: the settings this session cannot change without a full restart.
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
        later: Later | None = None,
        overrides: Mapping[str, Any] | None = None,
        fixed: frozenset[str] = SESSION_SETTINGS,
        plan: WatchPlan | None = None,
    ) -> None:
        self.settings = settings
        self.overrides = overrides
        self.fixed = fixed
        self._given_plan = plan  # what to watch, if not the project (`view`: its files)
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.use_forkserver = use_forkserver
        # Import the project's unwatched dependencies in the fork server after the first load.
        self.preload = preload
        self._sockets = sockets
        self._inbox = Inbox()
        self._scripted = events
        self._workers = workers
        self._timers = Timers(self.post)
        self._later = later or self._timers.later
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
        self._plan = self._given_plan or plan_watch(self.settings)
        if self._sockets is None:
            from geppetto_dev.server.server import bind

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
            self._go(first)
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
                    fixed, self._state.build_problems = self._state.build_problems, ()
                    if self._state.child is not None:
                        if fixed:
                            self._state.child.send(ShowProblems(BUILD))
                        self._state.child.send(Reload())
                case FrontendFailed(problems):
                    self._say("Frontend build failed; open pages show its errors.", error=True)
                    self._state.build_problems = problems
                    if self._state.child is not None:
                        self._state.child.send(ShowProblems(BUILD, problems))
                case Loaded():
                    self._on_loaded(event)
                case Exited(pid, code):
                    self._on_exited(pid, code)
                case Respawn(attempt):
                    state = self._state
                    if attempt == state.respawn and state.child is None:
                        state.respawn = None
                        self._go(self._pool.fresh_child())
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
        settings_file = self._plan.settings_file if self._plan else None
        if settings_file in changed and not self._settings_changed():
            changed.discard(settings_file)
            if not changed:
                return
        names = ", ".join(sorted(f"'{self._show(p)}'" for p in changed))
        self._say(f"Detected changes in {names}. Reloading...")
        started = time.monotonic()
        broken = self._state.broken
        recheck(broken, changed - {settings_file})
        if broken:
            text = "\n\n".join(problem.text() for problem in broken.values())
            self._say(f"{text}\nNot reloaded: the previous server keeps running.", error=True)
            if self._state.child is not None:
                self._state.child.send(ShowProblems(PYTHON, tuple(broken.values())))
            return
        self._restart(changed)
        if self._state.child is not None:
            self._state.reloading = (self._state.child, started)

    def _settings_changed(self) -> bool:
        """pyproject.toml was saved: say what it changes; True when the server must restart."""
        change = reread_settings(self.settings, self.overrides, self.fixed)
        for text, error in change.messages:
            self._say(text, error=error)
        if change.settings is None:
            return False
        self.settings = change.settings
        self._pool.use_settings(change.settings)
        return True

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
        # A save is a new attempt: a pending retry is dropped, the crash count starts over.
        self._state.respawn = None
        self._state.crashes = 0
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
            old.hand_over_to(new)  # its idle kept-alive connections: the new one serves them
            old.terminate()
            # The new one accepts once the old stopped accepting; the old finishes (retire()).
            old.released.wait(STOP_GRACE)
        self._go(new)
        if old is not None:
            # Its requests in progress are answered while the new server already accepts.
            old.retire(self.settings.drain_timeout + DRAIN_MARGIN)

    def _go(self, child: Worker, *, fallback: bool = False) -> None:
        """Make `child` the current server and let it accept connections."""
        child.send(Go())
        if self._state.build_problems:
            child.send(ShowProblems(BUILD, self._state.build_problems))
        self._state.child = child
        self._state.fallback = fallback

    def _on_loaded(self, loaded: Loaded) -> None:
        child = self._pool.child(loaded.pid)
        current = child is not None and child is self._state.child
        reloading = self._state.reloading
        if current and reloading is not None and reloading[0] is child:
            self._state.reloading = None
            if loaded.ok:
                self._say(f"Reloaded in {time.monotonic() - reloading[1]:.2f} s.")
        if current and not loaded.ok and not self._state.fallback:
            self._say(
                "The app failed to load; serving an error page until the next save.", error=True
            )
        # The fork server imports the project's dependencies that are not watched sources.
        names = self._plan.unwatched(loaded.modules, self._pool.stack_files()) if self._plan else []
        if self.preload and names:
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
        state = self._state
        state.child = None
        loaded_at = child.loaded_at
        if loaded_at is not None and time.monotonic() - loaded_at >= CRASH_WINDOW:
            state.crashes = 0
            self._say(f"The server exited unexpectedly{shown}; starting a new one.", error=True)
            self._go(workers.fresh_child())
            return
        if state.fallback:
            self._say(
                f"The error page server exited too{shown}; waiting for the next save.", error=True
            )
            return
        state.crashes += 1
        if state.crashes <= len(RESTART_DELAYS):
            delay = RESTART_DELAYS[state.crashes - 1]
            when = f" in {delay:g} s" if delay else ""
            self._say(
                f"The server exited right after starting{shown}; starting a new one{when}.",
                error=True,
            )
            if delay:
                state.respawn = state.crashes
                self._later(delay, Respawn(state.crashes))
            else:
                self._go(workers.fresh_child())
            return
        what = f"The server exited right after starting, {state.crashes} times in a row{shown}"
        self._say(f"{what}; serving an error page until the next save.", error=True)
        text = f"{what}. Its output is in the terminal of geppetto-dev. The next save tries again."
        self._go(workers.fresh_child(failure=text), fallback=True)

    # --- the rest -----------------------------------------------------------------------------

    @property
    def _pool(self) -> WorkerPool:
        assert self._workers is not None, "run() makes the workers"
        return self._workers

    def _shutdown(self, workers: WorkerPool) -> None:
        self._state.stopping = True
        self._timers.cancel_all()
        workers.stop_all()
        for sock in self._sockets or ():
            sock.close()

    def _show(self, path: Path) -> str:
        roots = self._plan.roots if self._plan else ()
        for root in (self.settings.project_dir.resolve(), *roots):
            with contextlib.suppress(ValueError):
                return str(path.relative_to(root))
        return str(path)

    def _say(self, message: str, *, error: bool = False) -> None:
        stream = self.err if error else self.out
        print(message, file=stream, flush=True)
