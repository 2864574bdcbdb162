"""The supervisor's handles on its server children, and where they come from.

`Workers.fresh_child()` is "give me a fresh server child": forked from the fork server when
there is one (a few ms; see forkserver.py and its handle, forkhandle.py), else spawned as a
new interpreter (the fallback, a few hundred ms of imports). Each child is in a process group
of its own, tied to the supervisor by a parent-death signal and by its channel (see child.py).

Handles never decide anything: they send and receive the messages of messages.py, keep what a
child or the fork server reported, and post what the supervisor must decide on (a child loaded
or exited, a preload tainted the fork server) to its event queue.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from geppetto_dev.config import Settings
from geppetto_dev.procs.channel import Channel, ChannelClosed
from geppetto_dev.procs.groups import child_env, own_group, signal_group, stop_group
from geppetto_dev.procs.handoff import child_argv
from geppetto_dev.reload.forkhandle import ForkServer, ForkServerError
from geppetto_dev.reload.messages import (
    Closing,
    ClosingAck,
    Event,
    Exited,
    Go,
    KeptAlive,
    Loaded,
    Reload,
    ShowProblems,
    Start,
    Stopped,
)

__all__ = [
    "KILL_WAIT",
    "STOP_GRACE",
    "ServerChild",
    "Worker",
    "WorkerPool",
    "Workers",
]

# SIGTERM to a server child, then this long before SIGKILL: its own shutdown allows open
# connections 1 s, and Ctrl-C must end everything within about 2 s.
STOP_GRACE = 1.4
KILL_WAIT = 0.4

Post = Callable[[Event], None]


class Worker(Protocol):
    """What the supervisor's policy needs of a server child (ServerChild, or a test's fake)."""

    pid: int
    started: float
    # When it reported that it loaded the project (or serves its error page); None: not yet.
    loaded_at: float | None
    stopping: bool
    exit_code: int | None
    released: threading.Event

    def send(self, message: Go | Closing | Reload | ShowProblems) -> bool: ...
    def adopt(self, fd: int) -> bool: ...
    def hand_over_to(self, successor: Worker) -> None: ...
    def begin_closing(self) -> None: ...
    def terminate(self) -> None: ...
    def stop(self) -> bool: ...
    def retire(self, grace: float) -> None: ...
    def discard(self) -> None: ...


class WorkerPool(Protocol):
    """Where the supervisor's server children come from (Workers, or a test's fake)."""

    def start(self) -> None: ...
    def fresh_child(self, failure: str | None = None) -> Worker: ...
    def child(self, pid: int) -> Worker | None: ...
    def forget(self, pid: int) -> None: ...
    def stack_files(self) -> frozenset[Path]: ...
    def tainted(self) -> str | None: ...
    def renew(self) -> None: ...
    def preload(self, modules: list[str], sys_path: list[str]) -> None: ...
    def use_settings(self, settings: Settings) -> None: ...
    def stop_all(self) -> None: ...


class ServerChild:
    """The supervisor's view of one server child: its pid (= process group) and channel."""

    def __init__(
        self,
        pid: int,
        channel: Channel,
        post: Post,
        popen: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.pid = pid
        self.channel = channel
        self.popen = popen
        self.started = time.monotonic()
        self.loaded_at: float | None = None
        self.stopping = False
        self.closing_sent = False
        self.closing_acked = threading.Event()
        self.term_sent = False
        # Set once it no longer accepts connections (it said so, or it exited).
        self.released = threading.Event()
        self.exited = threading.Event()
        self.exit_code: int | None = None
        # Where its idle kept-alive connections go when it stops: the server replacing it.
        self.successor: Worker | None = None
        self._post = post
        threading.Thread(target=self._read, name=f"geppetto-child-{pid}", daemon=True).start()
        if popen is not None:
            threading.Thread(target=self._wait_popen, daemon=True).start()

    def send(self, message: Go | Closing | Reload | ShowProblems) -> bool:
        try:
            self.channel.send(message)
        except ChannelClosed:
            return False
        return True

    def adopt(self, fd: int) -> bool:
        """Have it serve a kept-alive connection of the server it replaces."""
        try:
            self.channel.send(KeptAlive(), fds=[fd])
        except ChannelClosed:
            return False
        return True

    def hand_over_to(self, successor: Worker) -> None:
        self.successor = successor

    def mark_exited(self, code: int | None) -> None:
        if code is not None:
            self.exit_code = code
        if not self.exited.is_set():
            self.exited.set()
            self.released.set()
            self._post(Exited(self.pid, code))

    def _read(self) -> None:
        try:
            while True:
                message, fds = self.channel.recv()
                match message:
                    case KeptAlive():
                        # Closed if nobody takes it: the client reconnects (its request, if
                        # any was on the way, fails as it did before hand-overs existed).
                        successor = self.successor
                        for fd in fds:
                            if successor is not None:
                                successor.adopt(fd)
                            os.close(fd)
                    case Loaded():
                        self.loaded_at = time.monotonic()
                        self._post(message)
                    case ClosingAck():
                        self.closing_acked.set()
                    case Stopped():
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
            self.send(Closing())

    def terminate(self) -> None:
        """SIGTERM to the group, once the sockets are closed (or after half a second)."""
        self.begin_closing()
        self.closing_acked.wait(0.5)
        if not self.term_sent:
            self.term_sent = True
            signal_group(self.pid, signal.SIGTERM)

    def stop(self, grace: float = STOP_GRACE) -> bool:
        """Stop the whole group; True when it stopped by itself within the grace period."""
        self.terminate()
        clean = stop_group(
            self.pid, self.exited.wait, grace=grace, kill_wait=KILL_WAIT, term_sent=True
        )
        self.channel.close()
        return clean

    def retire(self, grace: float) -> None:
        """Stop it in the background, giving it `grace` seconds to finish its requests.

        A replaced server drains while the next one already answers; the supervisor's loop must
        not wait for it (a slow request would hold up the next save). Ctrl-C still stops it
        within STOP_GRACE: stop_all() does not wait for this.
        """
        threading.Thread(
            target=self.stop, args=(grace,), name=f"geppetto-retire-{self.pid}", daemon=True
        ).start()

    def discard(self) -> None:
        """It exited by itself: kill what it left in its group, close its channel."""
        with contextlib.suppress(PermissionError):
            signal_group(self.pid, signal.SIGKILL)
        self.channel.close()


class Workers:
    """Server children for one session: forked from a fork server, spawned when there is none.

    Owns the fork server and every child it handed out until the child is forgotten.
    """

    def __init__(
        self,
        settings: Settings,
        sockets: list[socket.socket],
        post: Post,
        *,
        say: Callable[[str], None],
        use_forkserver: bool = True,
    ) -> None:
        self.settings = settings
        self.sockets = sockets
        self.post = post
        self.say = say
        self.use_forkserver = use_forkserver and hasattr(os, "fork")
        self.forkserver: ForkServer | None = None
        self.children: dict[int, ServerChild] = {}

    def start(self) -> None:
        """Start the fork server; without one (it failed, or none wanted) children are spawned."""
        if not self.use_forkserver:
            return
        forkserver = ForkServer(self.settings, self.sockets, self._on_forked_exit, self.post)
        try:
            forkserver.start()
        except (ForkServerError, OSError) as exc:
            self.say(f"Cannot keep a fork server ({exc}); starting each server afresh.")
            return
        self.forkserver = forkserver

    def stack_files(self) -> frozenset[Path]:
        """The files every fork already has imported: a change to one needs a new fork server."""
        forkserver = self.forkserver
        return forkserver.files if forkserver is not None and forkserver.alive else frozenset()

    def tainted(self) -> str | None:
        forkserver = self.forkserver
        return forkserver.tainted if forkserver is not None and forkserver.alive else None

    def renew(self) -> None:
        """A clean fork server (its children die with the old one: stop them first)."""
        self._stop_forkserver()
        self.start()

    def preload(self, modules: list[str], sys_path: list[str]) -> None:
        if self.forkserver is not None and self.forkserver.alive:
            self.forkserver.preload(modules, sys_path)

    def use_settings(self, settings: Settings) -> None:
        """Children made from now on run with these (pyproject.toml was edited)."""
        self.settings = settings

    def fresh_child(self, failure: str | None = None) -> ServerChild:
        """A new server child; with `failure`, one that serves that error page (see Fork)."""
        channel, theirs = Channel.pair()
        try:
            forkserver = self.forkserver
            if forkserver is not None and not forkserver.alive:
                # It died (and took its children along): make another from this thread, the
                # one its parent-death signal is tied to.
                self.renew()
                forkserver = self.forkserver
            if forkserver is not None:
                try:
                    pid = forkserver.fork(theirs, failure, settings=self.settings)
                except ForkServerError as exc:
                    self.say(f"The fork server failed ({exc}); starting the server afresh.")
                    self._stop_forkserver()
                else:
                    return self._add(ServerChild(pid, channel, self.post))
            return self._spawn(channel, theirs, failure)
        finally:
            theirs.close()

    def _spawn(self, channel: Channel, theirs: socket.socket, failure: str | None) -> ServerChild:
        argv, fds = child_argv(
            "geppetto_dev.reload.child", theirs, self.sockets, parent=os.getpid()
        )
        popen = subprocess.Popen(
            argv, pass_fds=fds, cwd=self.settings.project_dir, env=child_env(), **own_group()
        )
        channel.send(Start(self.settings, failure))
        return self._add(ServerChild(popen.pid, channel, self.post, popen))

    def _add(self, child: ServerChild) -> ServerChild:
        self.children[child.pid] = child
        return child

    def child(self, pid: int) -> ServerChild | None:
        return self.children.get(pid)

    def forget(self, pid: int) -> None:
        self.children.pop(pid, None)

    def _on_forked_exit(self, pid: int, code: int) -> None:
        child = self.children.get(pid)
        if child is not None:
            child.mark_exited(code)

    def _stop_forkserver(self) -> None:
        forkserver, self.forkserver = self.forkserver, None
        if forkserver is not None:
            forkserver.stop()

    def stop_all(self) -> None:
        """Stop every child still running (within one STOP_GRACE for all), then the fork server."""
        running = [child for child in self.children.values() if not child.exited.is_set()]
        for child in running:
            child.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for child in running:
            child.stop(max(0.0, deadline - time.monotonic()))
        self._stop_forkserver()
