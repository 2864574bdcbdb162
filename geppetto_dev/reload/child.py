"""A server child of the reload supervisor: load the project fresh, serve, stop when told.

The child is forked from the fork server (or, as a fallback, started as
`python -m geppetto_dev.reload.child`). It loads the project at once, reports the outcome, and
waits for "go" before accepting connections, so it can import the new code while the previous
server is still shutting down. A project that fails to import gets an error page instead, until
the next save replaces this child.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

from flask import Flask, request

from geppetto_dev.application import GeppettoApp
from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.logs import configure as configure_logging
from geppetto_dev.problems import Problem
from geppetto_dev.procs.channel import Channel, ChannelClosed
from geppetto_dev.procs.groups import set_parent_death_signal
from geppetto_dev.procs.handoff import adopt
from geppetto_dev.reload.livereload import LiveReloadHub, script_tag
from geppetto_dev.reload.messages import (
    ChildReport,
    Closing,
    ClosingAck,
    Go,
    KeptAlive,
    Loaded,
    Reload,
    ShowProblems,
    Start,
    Stopped,
)
from geppetto_dev.reload.overlay import error_page
from geppetto_dev.server.pagescript import install_page_script
from geppetto_dev.server.server import Server, ServerHooks
from geppetto_dev.server.traceback_policy import TracebackPolicy
from geppetto_dev.tracebacks import problem_from_exception

__all__ = [
    "LOAD_FAILED",
    "failure_app",
    "load",
    "load_problem",
    "main",
    "run_forked",
    "serve_child",
]

# Open pages' WebSockets close with "service restart": the next server answers their reconnect.
RESTARTING = (1012, "server restarting")
# When the supervisor vanishes, a clean stop gets this long before the child just exits.
ORPHAN_GRACE = 2.0
LOAD_FAILED = "The app failed to load"
KEEPS_EXITING = "The server keeps exiting"


def load_problem(exc: BaseException) -> Problem:
    """Why the project could not be loaded: a setting (one line), or the user's code."""
    if isinstance(exc, GeppettoDevError):
        return Problem(LOAD_FAILED, "Error", exc.format())
    return problem_from_exception(exc, LOAD_FAILED)


def load(settings: Settings) -> tuple[GeppettoApp | None, Problem | None]:
    """The project's application, or why it cannot be loaded (also printed, short)."""
    try:
        return GeppettoApp.load(settings), None
    except BaseException as exc:  # SystemExit too: the user's code decides nothing here
        problem = load_problem(exc)
    print(f"error: the app failed to load:\n{problem.text()}", file=sys.stderr, flush=True)
    return None, problem


def imported_since(before: set[str]) -> list[tuple[str, str]]:
    """(name, file) of the modules imported since `before`, in import order."""
    found = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name not in before and isinstance(path, str):
            found.append((name, os.path.realpath(path)))
    return found


def failure_app(problems: Sequence[Problem], tracebacks: TracebackPolicy) -> Flask:
    """Answers every path with the load error; its details only to whom `tracebacks` allows."""
    app = Flask("geppetto_dev_failure")
    title = problems[0].heading if problems else LOAD_FAILED
    detailed = error_page(title, problems)
    plain = error_page(title, [p.redacted() for p in problems])
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    @app.route("/", defaults={"path": ""}, methods=methods)
    @app.route("/<path:path>", methods=methods)
    def fail(path: str) -> tuple[str, int, dict[str, str]]:
        shown = tracebacks.shows(request.remote_addr, request.host, request.headers)
        page = detailed if shown else plain
        return page, 500, {"Cache-Control": "no-store"}

    return app


class _SupervisorLink(threading.Thread):
    """Reads the supervisor's commands; its end-of-file means the supervisor is gone.

    Also where kept-alive connections travel: `give` sends one of this server's to the
    supervisor when it stops; those of the previous server arrive here, and wait (the project
    may still be loading) until `receive` says who serves them.
    """

    def __init__(self, channel: Channel, hub: LiveReloadHub) -> None:
        super().__init__(name="geppetto-supervisor-link", daemon=True)
        self.channel = channel
        self.hub = hub
        self.go = threading.Event()
        self.orphaned = False
        self._lock = threading.Lock()
        self._adopt: Callable[[socket.socket], None] | None = None
        self._waiting: list[socket.socket] = []

    def run(self) -> None:
        try:
            while True:
                message, fds = self.channel.recv()
                self._handle(message, fds)
        except ChannelClosed:
            self._orphaned()

    def give(self, sock: socket.socket) -> None:
        with contextlib.suppress(ChannelClosed):
            self.channel.send(KeptAlive(), fds=[sock.fileno()])
        sock.close()

    def receive(self, adopt: Callable[[socket.socket], None]) -> None:
        with self._lock:
            self._adopt = adopt
            waiting, self._waiting = self._waiting, []
        for sock in waiting:
            adopt(sock)

    def _handle(self, message: object, fds: list[int]) -> None:
        match message:
            case KeptAlive() if fds:
                sock = socket.socket(fileno=fds[0])
                with self._lock:
                    adopt = self._adopt
                    if adopt is None:
                        self._waiting.append(sock)
                if adopt is not None:
                    adopt(sock)
            case Go():
                self.go.set()
            case Closing():
                # Live-reload sockets close with 1012 before SIGTERM; reconnects are sent away.
                self.hub.close_all().wait(0.5)
                self.send(ClosingAck())
            case Reload():
                self.hub.reload()
            case ShowProblems(source, problems):
                self.hub.show_problems(source, problems)

    def send(self, message: ChildReport) -> None:
        with contextlib.suppress(ChannelClosed):
            self.channel.send(message)

    def _orphaned(self) -> None:
        self.orphaned = True
        if not self.go.is_set():
            os._exit(1)
        os.kill(os.getpid(), signal.SIGTERM)
        timer = threading.Timer(ORPHAN_GRACE, os._exit, args=(1,))
        timer.daemon = True
        timer.start()


def serve_child(
    settings: Settings,
    sockets: list[socket.socket],
    channel: Channel,
    crashed: str | None = None,
) -> int:
    """Load, report, wait for "go", serve until SIGTERM. Returns the exit code.

    `crashed`: the servers before this one kept dying at startup; serve that text as an error
    page without importing the project.
    """
    boot_id = f"{os.getpid()}-{secrets.token_hex(4)}"
    tracebacks = TracebackPolicy.from_settings(settings)
    hub = LiveReloadHub(boot_id, tracebacks=tracebacks)
    link = _SupervisorLink(channel, hub)
    link.start()  # first, so a "closing" sent while the project loads is answered at once
    before = set(sys.modules)
    app: GeppettoApp | None
    failure: Problem | None
    if crashed:
        app, failure = None, Problem(KEEPS_EXITING, "Error", crashed)
    else:
        app, failure = load(settings)
    if failure is not None:
        hub.show_problems(failure.source, [failure])
    link.send(
        Loaded(
            os.getpid(),
            ok=failure is None,
            error=failure.text() if failure else None,
            modules=() if failure else tuple(imported_since(before)),
            sys_path=tuple(sys.path),
        )
    )
    if app is None:
        failed = failure_app([failure] if failure else [], tracebacks)
        app = GeppettoApp(settings, flask_app=failed)
    link.go.wait()
    if link.orphaned:
        return 1
    install_page_script(script_tag(boot_id))
    configure_logging()
    hooks = ServerHooks(
        extra_routes=tuple(hub.routes()),
        # The database and executor open once the new server answers: its first response
        # never waits for them; WebSocket handshakes do.
        defer_services=True,
        close_code=RESTARTING,
        on_stopped=lambda: link.send(Stopped()),
        hand_over=link.give,
        receive=link.receive,
    )
    Server(app, hooks).run(sockets)
    return 0


def _exit(code: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def run_forked(
    settings: Settings,
    sockets: list[socket.socket],
    channel: Channel,
    parent: int,
    crashed: str | None = None,
) -> NoReturn:
    """Body of a child just forked from the fork server; never returns into it."""
    code = 1
    try:
        with contextlib.suppress(OSError):  # the fork server may have done it already
            os.setpgid(0, 0)
        set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != parent:  # the fork server died before the death signal was armed
            _exit(1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        code = serve_child(settings, sockets, channel, crashed)
    except BaseException:
        traceback.print_exc()
    _exit(code)


def main(argv: list[str] | None = None) -> None:
    """Spawn fallback: a fresh interpreter given the sockets and channel by descriptor."""
    adopted = adopt("python -m geppetto_dev.reload.child", Start, argv)
    start = adopted.start
    _exit(serve_child(start.settings, adopted.sockets, adopted.channel, start.failure))


if __name__ == "__main__":
    main()
