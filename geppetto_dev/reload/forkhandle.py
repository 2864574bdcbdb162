"""The supervisor's handle on the fork server: start it, ask for children, hear exits.

The fork server itself is forkserver.py (its own program); this is the supervisor's side of
their channel. Children it forks are handed to workers.py as ServerChild handles.
"""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from geppetto_dev.config import Settings
from geppetto_dev.procs.channel import Channel, ChannelClosed
from geppetto_dev.procs.groups import child_env, own_group
from geppetto_dev.procs.handoff import child_argv
from geppetto_dev.reload.messages import (
    Event,
    Exited,
    Failed,
    Fork,
    Forked,
    Preload,
    Preloaded,
    Ready,
    Start,
)

__all__ = ["ForkServer", "ForkServerError"]

Post = Callable[[Event], None]


class ForkServerError(RuntimeError):
    """The fork server could not start or fork; children are spawned instead."""


class ForkServer:
    """The supervisor's handle on the fork server: start it, ask for children, hear exits."""

    def __init__(
        self,
        settings: Settings,
        sockets: list[socket.socket],
        on_exit: Callable[[int, int], None],
        post: Post,
        *,
        ready_timeout: float = 15.0,
    ) -> None:
        self.settings = settings
        self.sockets = sockets
        self.on_exit = on_exit
        self.post = post
        self.ready_timeout = ready_timeout
        self.files: frozenset[Path] = frozenset()
        # Set when a preloaded module started a thread: forking from it is no longer safe.
        self.tainted: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._control: Channel | None = None
        # Modules asked for already: each is imported once per fork server.
        self.preloaded: set[str] = set()
        self._replies: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self._control is not None

    def start(self) -> None:
        """Start the fork server and wait until it has imported the stack."""
        control, theirs = Channel.pair()
        argv, fds = child_argv(
            "geppetto_dev.reload.forkserver", theirs, self.sockets, parent=os.getpid()
        )
        try:
            self.proc = subprocess.Popen(
                argv, pass_fds=fds, cwd=self.settings.project_dir, env=child_env(), **own_group()
            )
        finally:
            theirs.close()
        self._control = control
        control.send(Start(self.settings))
        threading.Thread(target=self._read, name="geppetto-forkserver", daemon=True).start()
        match self._reply(self.ready_timeout):
            case Ready(files):
                self.files = files
            case Failed(error):
                self.stop()
                raise ForkServerError(error)
            case other:
                self.stop()
                raise ForkServerError(f"unexpected answer from the fork server: {other!r}")

    def preload(self, modules: list[str], sys_path: list[str]) -> None:
        """Import these (the project's third-party dependencies) once, for every later fork.

        `sys_path` is the server's, where the project may have added folders of its own.
        """
        control = self._control
        modules = [name for name in modules if name not in self.preloaded]
        if control is not None and modules:
            self.preloaded.update(modules)
            with contextlib.suppress(ChannelClosed):
                control.send(Preload(tuple(modules), tuple(sys_path)))

    def fork(
        self,
        channel: socket.socket,
        failure: str | None = None,
        timeout: float = 30.0,
        settings: Settings | None = None,
    ) -> int:
        """A new server child that talks over `channel`; returns its pid (also its group id).

        `settings`: the child's, when they are no longer those the fork server started with.
        """
        given = settings if settings is not None and settings != self.settings else None
        with self._lock:
            if self._control is None:
                raise ForkServerError("the fork server is gone")
            try:
                self._control.send(Fork(failure, given), fds=[channel.fileno()])
            except ChannelClosed:
                raise ForkServerError("the fork server is gone") from None
            reply = self._reply(timeout)
        match reply:
            case Forked(pid):
                return pid
            case Failed(error):
                raise ForkServerError(error)
        raise ForkServerError("the fork server did not fork")

    def _reply(self, timeout: float) -> object:
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return Failed(f"no answer from the fork server within {timeout:g} s")

    def _read(self) -> None:
        control = self._control
        assert control is not None
        try:
            while True:
                message, _fds = control.recv()
                match message:
                    case Exited(pid, code):
                        self.on_exit(pid, 0 if code is None else code)
                    case Preloaded(files, tainted):
                        self.files = files
                        self.tainted = tainted
                        self.post(message)
                    case _:
                        self._replies.put(message)
        except ChannelClosed:
            self._control = None
            self._replies.put(Failed("the fork server exited"))

    def stop(self, timeout: float = 1.0) -> None:
        """Close the control channel (the fork server exits on end-of-file), then make sure."""
        control, self._control = self._control, None
        if control is not None:
            control.close()
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
