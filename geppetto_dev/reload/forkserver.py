"""The template process: import the server stack once, fork a fresh server child per reload.

Importing tornado, flask and flask_restful takes ~270 ms in a new interpreter; a fork of a
process that already did costs a few ms. The template never imports the project's code (that is
what changes), stays single-threaded (forking a threaded process is unsafe), runs no event loop
and never accepts on the listening sockets it holds for its children.

`TemplateProcess` is the supervisor's handle on it; `main()` is the template itself, run as
`python -m geppetto_dev.reload.forkserver`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import queue
import selectors
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from geppetto_dev.config import Settings
from geppetto_dev.procs.groups import child_env, own_group, set_parent_death_signal
from geppetto_dev.reload.channel import Channel, ChannelClosed

__all__ = ["PREIMPORT", "TemplateError", "TemplateProcess", "main"]

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


class TemplateError(RuntimeError):
    """The template could not start or fork; the supervisor spawns children instead."""


class TemplateProcess:
    """The supervisor's handle: start it, ask for children, hear when they exit."""

    def __init__(
        self,
        settings: Settings,
        sockets: list[socket.socket],
        on_exit: Callable[[int, int], None],
        *,
        on_tainted: Callable[[str], None] | None = None,
        ready_timeout: float = 15.0,
    ) -> None:
        self.settings = settings
        self.sockets = sockets
        self.on_exit = on_exit
        self.on_tainted = on_tainted or (lambda reason: None)
        self.ready_timeout = ready_timeout
        self.files: frozenset[Path] = frozenset()
        # Set when a preloaded module started a thread: forking from it is no longer safe.
        self.tainted: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._control: Channel | None = None
        self._replies: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self._control is not None

    def start(self) -> None:
        """Start the template and wait until it has imported the stack."""
        control, theirs = Channel.pair()
        fds = [s.fileno() for s in self.sockets]
        argv = [
            sys.executable,
            "-m",
            "geppetto_dev.reload.forkserver",
            "--control",
            str(theirs.fileno()),
            "--sockets",
            ",".join(map(str, fds)),
            "--parent",
            str(os.getpid()),
        ]
        try:
            self.proc = subprocess.Popen(
                argv,
                pass_fds=[theirs.fileno(), *fds],
                cwd=self.settings.project_dir,
                env=child_env(),
                **own_group(),
            )
        finally:
            theirs.close()
        self._control = control
        control.send({"settings": self.settings})
        threading.Thread(target=self._read, name="geppetto-template", daemon=True).start()
        reply = self._reply(self.ready_timeout)
        if not reply.get("ready"):
            self.stop()
            raise TemplateError(str(reply.get("error") or "the template process did not start"))
        self.files = frozenset(Path(f) for f in reply.get("files", ()))

    def preload(self, modules: list[str], sys_path: list[str]) -> None:
        """Import these (the project's third-party dependencies) once, for every later fork.

        `sys_path` is the server's, where the project may have added folders of its own.
        """
        control = self._control
        if control is not None and modules:
            with contextlib.suppress(ChannelClosed):
                control.send({"cmd": "preload", "modules": modules, "sys_path": sys_path})

    def fork(self, channel: socket.socket, timeout: float = 30.0) -> int:
        """A new server child that talks over `channel`; returns its pid (also its group id)."""
        with self._lock:
            if self._control is None:
                raise TemplateError("the template process is gone")
            try:
                self._control.send({"cmd": "fork"}, fds=[channel.fileno()])
            except ChannelClosed:
                raise TemplateError("the template process is gone") from None
            pid = self._reply(timeout).get("pid")
        if not isinstance(pid, int):
            raise TemplateError("the template process did not fork")
        return pid

    def _reply(self, timeout: float) -> dict[str, Any]:
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return {"error": f"no answer from the template process within {timeout:g} s"}

    def _read(self) -> None:
        control = self._control
        assert control is not None
        try:
            while True:
                message, _fds = control.recv()
                if "exited" in message:
                    self.on_exit(int(message["exited"]), int(message.get("code", 0)))
                elif "preloaded" in message:
                    self.files = frozenset(Path(f) for f in message.get("files", ()))
                    self.tainted = message.get("tainted")
                    if self.tainted:
                        self.on_tainted(self.tainted)
                else:
                    self._replies.put(message)
        except ChannelClosed:
            self._control = None
            self._replies.put({"error": "the template process exited"})

    def stop(self, timeout: float = 1.0) -> None:
        """Close the control channel (the template exits on end-of-file), then make sure."""
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


# --- the template process itself -------------------------------------------------------------


def _loaded_files() -> list[str]:
    files = set()
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if isinstance(name, str) and name.endswith(".py"):
            files.add(os.path.realpath(name))
    return sorted(files)


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _preload(modules: list[str], sys_path: list[str]) -> dict[str, Any]:
    """Import what the first server imported from outside the watched sources.

    Those files never trigger a reload, so importing them once here changes nothing but the
    time each reload takes (a scientific stack can take seconds to import). A module that fails
    here is simply left to the children.
    """
    if sys_path:
        sys.path[:] = sys_path
    for name in modules:
        with contextlib.suppress(BaseException):
            importlib.import_module(name)
    gc.freeze()
    threads = _thread_count()
    tainted = f"a preloaded module started {threads - 1} thread(s)" if threads > 1 else None
    return {"preloaded": len(modules), "files": _loaded_files(), "tainted": tainted}


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
            control.send({"exited": pid, "code": os.waitstatus_to_exitcode(status)})
        except ChannelClosed:
            return


def main(argv: list[str] | None = None) -> NoReturn:
    parser = argparse.ArgumentParser(prog="python -m geppetto_dev.reload.forkserver")
    parser.add_argument("--control", type=int, required=True)
    parser.add_argument("--sockets", required=True, help="comma-separated descriptors")
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != args.parent:
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # stopping is the supervisor's business
    control = Channel(socket.socket(fileno=args.control))
    try:
        settings = control.recv()[0]["settings"]
        for name in PREIMPORT:
            importlib.import_module(name)
    except ChannelClosed:
        os._exit(1)
    except BaseException:
        control.send({"ready": False, "error": traceback.format_exc()})
        os._exit(1)
    sockets = [socket.socket(fileno=int(fd)) for fd in args.sockets.split(",")]
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, _noop)
    # Objects made so far are shared with every child; keep the collector off their pages.
    gc.freeze()
    control.send({"ready": True, "files": _loaded_files()})

    from geppetto_dev.reload.child import run_forked

    selector = selectors.DefaultSelector()
    selector.register(control.sock, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    template_pid = os.getpid()
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
            if message.get("cmd") == "preload":
                control.send(_preload(message.get("modules", []), message.get("sys_path", [])))
                continue
            if message.get("cmd") != "fork" or not fds:
                continue
            pid = os.fork()
            if pid == 0:
                selector.close()
                signal.set_wakeup_fd(-1)
                os.close(wake_r)
                os.close(wake_w)
                control.sock.close()  # not Channel.close(): a shutdown would cut the template off
                for extra in fds[1:]:
                    os.close(extra)
                run_forked(settings, sockets, Channel(socket.socket(fileno=fds[0])), template_pid)
            # The child does it too: whoever runs first closes the race with a stop signal.
            with contextlib.suppress(OSError):
                os.setpgid(pid, pid)
            for fd in fds:
                os.close(fd)
            control.send({"pid": pid})


if __name__ == "__main__":
    main()
