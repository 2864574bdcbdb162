"""The fork server: import the server stack once, fork a fresh server child per reload.

Importing tornado, flask and flask_restful takes ~270 ms in a new interpreter; a fork of a
process that already did costs a few ms. The fork server never imports the project's code
(that is what changes), stays single-threaded (forking a threaded process is unsafe), runs no
event loop and never accepts on the listening sockets it holds for its children.

This module is the program, run as `python -m geppetto_dev.reload.forkserver`; the supervisor's
handle on it is forkhandle.ForkServer.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import selectors
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path
from types import FrameType
from typing import NoReturn

from geppetto_dev.config import Settings
from geppetto_dev.procs.channel import Channel, ChannelClosed
from geppetto_dev.procs.handoff import adopt
from geppetto_dev.reload.messages import (
    Exited,
    Failed,
    Fork,
    Forked,
    Preload,
    Preloaded,
    Ready,
    Start,
)

__all__ = ["PREIMPORT", "main"]

# The expensive, project-independent imports every server child needs.
PREIMPORT = (
    "tornado.web",
    "tornado.httpserver",
    "tornado.websocket",
    "tornado.wsgi",
    "flask",
    "flask_restful",
    "geppetto_dev.server",
    "geppetto_dev.reload.child",
)


def _loaded_files() -> frozenset[Path]:
    files = set()
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if isinstance(name, str) and name.endswith(".py"):
            files.add(Path(os.path.realpath(name)))
    return frozenset(files)


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _preload(modules: tuple[str, ...], sys_path: tuple[str, ...]) -> Preloaded:
    """Import what the first server imported from outside the watched sources.

    Those files never trigger a reload, so importing them once here changes nothing but the
    time each reload takes (a scientific stack can take seconds to import). A module that fails
    here is simply left to the children.
    """
    if sys_path:
        sys.path[:] = list(sys_path)
    for name in modules:
        with contextlib.suppress(BaseException):
            importlib.import_module(name)
    gc.freeze()
    threads = _thread_count()
    tainted = f"a preloaded module started {threads - 1} thread(s)" if threads > 1 else None
    return Preloaded(_loaded_files(), tainted)


def _noop(signum: int, frame: FrameType | None) -> None:
    """SIGCHLD must have a handler for the wakeup descriptor to hear it."""


def _reap(control: Channel) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        try:
            control.send(Exited(pid, os.waitstatus_to_exitcode(status)))
        except ChannelClosed:
            return


def main(argv: list[str] | None = None) -> NoReturn:
    adopted = adopt("python -m geppetto_dev.reload.forkserver", Start, argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # stopping is the supervisor's business
    control, sockets, settings = adopted.channel, adopted.sockets, adopted.start.settings
    try:
        for name in PREIMPORT:
            importlib.import_module(name)
        from geppetto_dev.application.services import warm_up

        warm_up(settings)  # what each server's first use of its services would repeat
    except BaseException:
        control.send(Failed(traceback.format_exc()))
        os._exit(1)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, _noop)
    # Objects made so far are shared with every child; keep the collector off their pages.
    gc.freeze()
    control.send(Ready(_loaded_files()))

    from geppetto_dev.reload.child import run_forked

    selector = selectors.DefaultSelector()
    selector.register(control.sock, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    forkserver_pid = os.getpid()

    def fork(fds: list[int], failure: str | None, given: Settings | None) -> int:
        pid = os.fork()
        if pid == 0:
            selector.close()
            signal.set_wakeup_fd(-1)
            os.close(wake_r)
            os.close(wake_w)
            control.sock.close()  # not Channel.close(): a shutdown would cut the server off
            for extra in fds[1:]:
                os.close(extra)
            channel = Channel(socket.socket(fileno=fds[0]))
            run_forked(given or settings, sockets, channel, forkserver_pid, failure)
        # The child does it too: whoever runs first closes the race with a stop signal.
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        for fd in fds:
            os.close(fd)
        return pid

    while True:
        for key, _mask in selector.select():
            if key.fileobj == wake_r:
                try:
                    while os.read(wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
                _reap(control)
                continue
            try:
                message, fds = control.recv()
            except ChannelClosed:
                os._exit(0)  # the supervisor is gone or done; children have their own lifeline
            match message:
                case Preload(modules, sys_path):
                    control.send(_preload(modules, sys_path))
                case Fork(failure, given) if fds:
                    control.send(Forked(fork(fds, failure, given)))


if __name__ == "__main__":
    main()
