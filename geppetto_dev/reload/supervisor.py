"""`serve --reload`: own the port, watch the sources, replace the server child on each save.

The supervisor binds the listening sockets once and keeps them for the whole session, so a
request made during a reload waits in the kernel's queue and is answered by the new server,
never refused. Server children come from a template process that has already imported the
server stack (see template.py), each in a process group of its own, tied to the supervisor by
a parent-death signal and by their channel (see child.py).

A reload: compile the changed files (a file that does not compile keeps the running server and
shows the error), tell the running child to close its live-reload sockets, fork the new child
(which imports the new code meanwhile), SIGTERM the old group, let the new child accept as soon
as the old one stopped accepting, then wait (bounded) for the old one to finish its requests
and SIGKILL what is left. Everything happens on the main thread; watcher threads, channel
readers and signal handlers only post events to a queue.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from geppetto_dev.config import Settings
from geppetto_dev.procs.groups import child_env, own_group, signal_group, stop_group
from geppetto_dev.procs.signals import on_stop_signals
from geppetto_dev.reload.channel import Channel, ChannelClosed
from geppetto_dev.reload.compilecheck import compile_error
from geppetto_dev.reload.forkserver import TemplateError, TemplateProcess
from geppetto_dev.reload.watch import Watcher, WatchPlan, plan_watch

__all__ = ["ServerChild", "Supervisor"]

# SIGTERM to a server child, then this long before SIGKILL: its own shutdown allows open
# connections 1 s, and Ctrl-C must end everything within about 2 s.
STOP_GRACE = 1.4
KILL_WAIT = 0.4
# A child that dies this soon after it started is not restarted until the next change.
CRASH_WINDOW = 1.0


class ServerChild:
    """The supervisor's view of one server child: its pid (= process group) and channel."""

    def __init__(
        self,
        pid: int,
        channel: Channel,
        post: Callable[[tuple[Any, ...]], None],
        popen: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.pid = pid
        self.channel = channel
        self.popen = popen
        self.started = time.monotonic()
        self.stopping = False
        self.loaded = threading.Event()
        self.load_error: str | None = None
        self.modules: list[tuple[str, str]] = []  # (name, file) its project imported
        self.sys_path: list[str] = []  # where it found them
        self.closing_sent = False
        self.closing_acked = threading.Event()
        self.term_sent = False
        # Set once it no longer accepts connections (it said so, or it exited).
        self.released = threading.Event()
        self.exited = threading.Event()
        self.exit_code: int | None = None
        self._post = post
        threading.Thread(target=self._read, name=f"geppetto-child-{pid}", daemon=True).start()
        if popen is not None:
            threading.Thread(target=self._wait_popen, daemon=True).start()

    def send(self, message: dict[str, Any]) -> bool:
        try:
            self.channel.send(message)
        except ChannelClosed:
            return False
        return True

    def mark_exited(self, code: int | None) -> None:
        if code is not None:
            self.exit_code = code
        if not self.exited.is_set():
            self.exited.set()
            self.released.set()
            self._post(("exited", self))

    def _read(self) -> None:
        try:
            while True:
                message, _fds = self.channel.recv()
                event = message.get("event")
                if event == "loaded":
                    self.load_error = None if message.get("ok") else str(message.get("error"))
                    self.modules = list(message.get("modules") or [])
                    self.sys_path = list(message.get("sys_path") or [])
                    self.loaded.set()
                    self._post(("loaded", self))
                elif event == "closing":
                    self.closing_acked.set()
                elif event == "stopped":
                    self.released.set()
        except ChannelClosed:
            # Every descriptor of an exited process is closed: end-of-file means it is gone.
            self.mark_exited(None)

    def _wait_popen(self) -> None:
        assert self.popen is not None
        self.mark_exited(self.popen.wait())

    def begin_closing(self) -> None:
        """Have it close its live-reload sockets (1012) and send reconnecting pages away."""
        self.stopping = True
        if not self.closing_sent:
            self.closing_sent = True
            self.send({"cmd": "closing"})

    def terminate(self) -> None:
        """SIGTERM to the group, once the sockets are closed (or after half a second)."""
        self.begin_closing()
        self.closing_acked.wait(0.5)
        if not self.term_sent:
            self.term_sent = True
            signal_group(self.pid, signal.SIGTERM)

    def stop(self) -> bool:
        """Stop the whole group; True when it stopped by itself within the grace period."""
        self.terminate()
        clean = stop_group(
            self.pid, self.exited.wait, grace=STOP_GRACE, kill_wait=KILL_WAIT, term_sent=True
        )
        self.channel.close()
        return clean


@dataclass
class _State:
    child: ServerChild | None = None
    broken: dict[Path, str] = field(default_factory=dict)
    stopping: bool = False


class Supervisor:
    """Run `serve --reload` in this (main) thread until SIGINT or SIGTERM; run() returns 0."""

    def __init__(
        self,
        settings: Settings,
        *,
        out: TextIO | None = None,
        err: TextIO | None = None,
        use_template: bool = True,
        preload: bool = True,
    ) -> None:
        self.settings = settings
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.use_template = use_template
        # Import the project's unwatched dependencies in the template after the first load.
        self.preload = preload
        self._preloaded: set[str] = set()
        self._events: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._state = _State()
        self._template: TemplateProcess | None = None
        self._children: dict[int, ServerChild] = {}
        self._sockets: list[socket.socket] = []
        self._plan: WatchPlan | None = None
        # Set once the first server child has been told to accept connections.
        self.started = threading.Event()

    # --- the public surface -------------------------------------------------------------------

    def notify_frontend_built(self) -> None:
        """Reload every open page: a frontend build finished. Safe from any thread."""
        self._events.put(("frontend-built",))

    def request_stop(self) -> None:
        """Stop the session as Ctrl-C would. Safe from any thread and from signal handlers."""
        self._events.put(("stop",))

    @property
    def sockets(self) -> list[socket.socket]:
        return self._sockets

    @property
    def server_pid(self) -> int | None:
        """The running server child (also its process group id), if any."""
        child = self._state.child
        return child.pid if child is not None else None

    @property
    def template_pid(self) -> int | None:
        template = self._template
        return template.proc.pid if template is not None and template.proc is not None else None

    def run(self) -> int:
        from geppetto_dev.server.run import bind

        self._plan = plan_watch(self.settings)
        self._sockets = bind(self.settings)  # a busy port is one line, before any process starts
        for sock in self._sockets:
            sock.set_inheritable(True)
        restore = on_stop_signals(self.request_stop)
        watcher = Watcher(
            self._plan,
            lambda paths: self._events.put(("changes", paths)),
            on_error=lambda message: self._events.put(("watch-error", message)),
        )
        try:
            self._say(f"Watching for changes in {self._plan.describe()}")
            watcher.start()  # registers its watches while the template imports the stack
            self._start_template()
            first = self._start_child()
            if not watcher.wait_ready(10):
                self._say("warning: the file watcher is slow to start", error=True)
            first.send({"cmd": "go"})
            self._state.child = first
            self.started.set()
            self._loop()
        finally:
            watcher.stop()
            self._shutdown()
            restore()
        return 0

    # --- the loop -----------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            try:
                event = self._events.get(timeout=0.5)
            except queue.Empty:
                continue
            kind = event[0]
            if kind == "stop":
                return
            if kind == "changes":
                changed: set[Path] = set(event[1])
                # Saves that queued up meanwhile make one reload, not several.
                with contextlib.suppress(queue.Empty):
                    while True:
                        more = self._events.get_nowait()
                        if more[0] == "changes":
                            changed |= more[1]
                        else:
                            self._events.put(more)
                            break
                self._on_changes(changed)
            elif kind == "frontend-built":
                self._say("Frontend build finished; reloading open pages.")
                if self._state.child is not None:
                    self._state.child.send({"cmd": "reload"})
            elif kind == "loaded":
                loaded: ServerChild = event[1]
                if loaded is self._state.child and loaded.load_error is not None:
                    self._say(
                        "The app failed to load; serving an error page until the next save.",
                        error=True,
                    )
                self._preload(loaded)
            elif kind == "exited":
                self._on_exited(event[1])
            elif kind == "tainted":
                self._say(
                    f"warning: {event[1]} while preloading the project's dependencies; the next "
                    "reload starts a clean template process, without preloading.",
                    error=True,
                )
            elif kind == "watch-error":
                self._say(f"warning: {event[1]}", error=True)

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
                self._state.child.send({"cmd": "failure", "text": text})
            return
        self._restart(changed)

    def _restart(self, changed: set[Path]) -> None:
        old = self._state.child
        template = self._template
        renew = None
        if template is not None and template.alive:
            if template.tainted:
                # Forking a process with threads can deadlock the child: start a clean one.
                renew = "Restarting the template process, without preloading."
                self.preload = False
            elif any(p.resolve() in template.files for p in changed):
                # The stack itself is being edited: a fork would run the old code.
                renew = "The server stack itself changed; restarting the template process."
        if old is not None:
            old.begin_closing()
        if renew is not None and template is not None:
            # The template's children die with it, so ours stops first.
            self._say(renew)
            if old is not None:
                old.stop()
                old = None
            template.stop()
            self._template = None
            self._start_template()
        new = self._start_child()  # it imports the new code while the old server stops
        if old is not None:
            old.terminate()
            # The new server may accept as soon as the old one stopped accepting; the old one
            # still finishes the requests it had, within the bounded wait of stop().
            old.released.wait(STOP_GRACE)
        new.send({"cmd": "go"})
        self._state.child = new
        if old is not None:
            old.stop()

    def _preload(self, child: ServerChild) -> None:
        """Have the template import the project's dependencies that are not watched sources."""
        template = self._template
        if not self.preload or template is None or not template.alive or self._plan is None:
            return
        source = self._plan.filter
        names = [
            name
            for name, file in child.modules
            if name not in self._preloaded
            and Path(file) not in template.files
            and not source.accepts(Path(file))
        ]
        if names:
            self._preloaded.update(names)
            template.preload(names, child.sys_path)

    def _on_exited(self, child: ServerChild) -> None:
        self._children.pop(child.pid, None)
        if child is not self._state.child or child.stopping or self._state.stopping:
            return
        code = "" if child.exit_code is None else f" (exit code {child.exit_code})"
        with contextlib.suppress(PermissionError):
            signal_group(child.pid, signal.SIGKILL)  # what it left behind
        child.channel.close()
        if time.monotonic() - child.started < CRASH_WINDOW:
            self._state.child = None
            self._say(
                f"The server exited right after starting{code}; waiting for the next save.",
                error=True,
            )
            return
        self._say(f"The server exited unexpectedly{code}; starting a new one.", error=True)
        new = self._start_child()
        new.send({"cmd": "go"})
        self._state.child = new

    # --- processes ----------------------------------------------------------------------------

    def _start_template(self) -> None:
        if not self.use_template or not hasattr(os, "fork"):
            return
        template = TemplateProcess(
            self.settings,
            self._sockets,
            self._on_template_child_exit,
            on_tainted=lambda reason: self._events.put(("tainted", reason)),
        )
        self._preloaded.clear()  # a new template has imported nothing of the project's yet
        try:
            template.start()
        except (TemplateError, OSError) as exc:
            self._say(f"Cannot keep a template process ({exc}); starting each server afresh.")
            return
        self._template = template

    def _on_template_child_exit(self, pid: int, code: int) -> None:
        child = self._children.get(pid)
        if child is not None:
            child.mark_exited(code)

    def _start_child(self) -> ServerChild:
        channel, theirs = Channel.pair()
        try:
            template = self._template
            if template is not None and not template.alive:
                # It died (and took its children along): make another from this thread, the
                # one its parent-death signal is tied to.
                template.stop()
                self._template = None
                self._start_template()
                template = self._template
            if template is not None:
                try:
                    pid = template.fork(theirs)
                    child = ServerChild(pid, channel, self._events.put)
                    self._children[pid] = child
                    return child
                except TemplateError as exc:
                    self._say(f"The template process failed ({exc}); starting the server afresh.")
                    template.stop()
                    self._template = None
            return self._spawn_child(channel, theirs)
        finally:
            theirs.close()

    def _spawn_child(self, channel: Channel, theirs: socket.socket) -> ServerChild:
        fds = [s.fileno() for s in self._sockets]
        popen = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "geppetto_dev.reload.child",
                "--channel",
                str(theirs.fileno()),
                "--sockets",
                ",".join(map(str, fds)),
                "--parent",
                str(os.getpid()),
            ],
            pass_fds=[theirs.fileno(), *fds],
            cwd=self.settings.project_dir,
            env=child_env(),
            **own_group(),
        )
        channel.send({"settings": self.settings})
        child = ServerChild(popen.pid, channel, self._events.put, popen)
        self._children[popen.pid] = child
        return child

    def _shutdown(self) -> None:
        self._state.stopping = True
        for child in list(self._children.values()):
            if not child.exited.is_set():
                child.stop()
        if self._template is not None:
            self._template.stop()
            self._template = None
        for sock in self._sockets:
            sock.close()

    # --- signals and output -------------------------------------------------------------------

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
