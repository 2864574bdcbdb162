"""`geppetto-dev serve`: plain, under the reload supervisor, or beside the frontend watcher.

With `--build-watch`, the server and the frontend's watch script run in one terminal, as
children of a honcho-like runner, each line prefixed (`server |`, `webpack |`). Everything goes
one way, down: this process binds the listening sockets once (a busy port is one line before
anything starts) and starts the server child (this module's `main()`) with the sockets by
descriptor and the resolved Settings as the first message on a channel, as the reload
supervisor does for its own children. With `--reload` that child runs the supervisor; a
finished frontend build (the build folder changed, then stayed unchanged) goes down the same
channel as a FrontendBuilt message, and the supervisor reloads the open pages. The watcher is
not critical: if it crashes, that is reported and the server keeps serving. A build that
fails (its `ERROR in` blocks, see frontend/buildlog.py) goes down as FrontendFailed: open pages
show its errors until the next good build.

A plain `serve` loads the project before it binds: an app that fails to import is a short
traceback of the user's own frames and exit code 1, not a server with nothing to serve.

Why a child rather than the supervisor in this process: the server's output (the supervisor's
and its children's) gets the `server |` prefix from the runner for free, and the server's
group is stopped like any other runner process, by the one stop_group.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import shlex
import signal
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from geppetto_dev.config import TOOL_TABLE, Settings, is_project
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.problems import Problem
from geppetto_dev.procs.channel import Channel, ChannelClosed
from geppetto_dev.reload.messages import Event, FrontendBuilt, FrontendFailed, Start

__all__ = [
    "LOAD_FAILED_HINT",
    "check_exposure",
    "check_project",
    "main",
    "serve",
    "serve_with_build_watch",
]

Overrides = Mapping[str, Any]
LOAD_FAILED_HINT = (
    "hint: fix it and run serve again; with --reload the server waits for the fix and shows "
    "the error in the browser"
)


def serve(
    settings: Settings, *, build_watch: bool = False, overrides: Overrides | None = None
) -> int:
    """`geppetto-dev serve`: plain, `--reload`, or either beside the frontend's watcher.

    `overrides`: the command line's settings; under --reload, an edited pyproject.toml is read
    again beneath them.
    """
    check_project(settings)
    check_exposure(settings)  # one line before anything binds or starts
    if settings.accounts:
        from geppetto_dev.accounts.extra import require_extra

        require_extra()
    if build_watch:
        return serve_with_build_watch(settings, overrides)
    return _serve_here(settings, overrides=overrides)


def check_exposure(settings: Settings) -> None:
    """Without accounts, whoever connects acts as the one user with every privilege: fine on
    this machine (a loopback host, by the package's one rule), and elsewhere only when the
    network is trusted, said explicitly."""
    from geppetto_dev.server.hosts import is_loopback_name

    if settings.accounts or settings.trust_network or is_loopback_name(settings.host.strip("[]")):
        return
    raise GeppettoDevError(
        f"serving on {settings.host} without accounts lets anyone who can reach this server "
        f"act as {settings.user_name!r}, with every privilege",
        "add --accounts (users log in; add them with 'geppetto-dev users add NAME'), or "
        "--trust-network if every machine that can reach it is trusted",
    )


def check_project(settings: Settings) -> None:
    """Refuse a folder with nothing to serve, before anything (such as data/) is made there."""
    if settings.app or settings.handlers or settings.projects:
        return
    folder = settings.project_dir
    if is_project(folder) or settings.frontend_path.is_dir():
        return
    for parent in folder.parents:
        found = False
        with contextlib.suppress(GeppettoDevError):  # a broken file up there is not ours
            found = is_project(parent)
        if found:
            raise GeppettoDevError(
                f"{folder} is not a geppetto-dev project, but inside the project {parent}",
                f"serve it from its folder: cd {shlex.quote(os.path.relpath(parent))}",
            )
    why = (
        f"its pyproject.toml has no [tool.{TOOL_TABLE}] table"
        if (folder / "pyproject.toml").is_file()
        else "it has no pyproject.toml"
    )
    raise GeppettoDevError(
        f"{folder} is not a geppetto-dev project ({why})",
        "make one with 'geppetto-dev init my-app' and serve it from its folder, "
        "or name the Flask app: --app MODULE[:NAME] (the demo: --app geppetto_dev.example)",
    )


def _serve_here(
    settings: Settings,
    sockets: list[socket.socket] | None = None,
    *,
    overrides: Overrides | None = None,
) -> int:
    if settings.reload:
        from geppetto_dev.reload.supervisor import Supervisor

        return Supervisor(settings, sockets=sockets, overrides=overrides).run()
    from geppetto_dev.application import GeppettoApp
    from geppetto_dev.logs import configure as configure_logging
    from geppetto_dev.server.server import Server
    from geppetto_dev.tracebacks import short_traceback

    try:
        app = GeppettoApp.load(settings)
    except GeppettoDevError:
        raise  # a setting: one line, from the CLI
    except Exception as exc:
        print(f"error: the app failed to load:\n{short_traceback(exc)}", file=sys.stderr)
        print(LOAD_FAILED_HINT, file=sys.stderr, flush=True)
        return 1
    configure_logging()
    Server(app).run(sockets)
    return 0


def serve_with_build_watch(settings: Settings, overrides: Overrides | None = None) -> int:
    from geppetto_dev.frontend.buildlog import BuildOutcomes
    from geppetto_dev.frontend.watch import BuildMonitor, watcher_spec
    from geppetto_dev.procs.groups import child_env
    from geppetto_dev.procs.handoff import child_argv
    from geppetto_dev.procs.runner import ProcessSpec, Runner
    from geppetto_dev.server.server import bind

    watcher = watcher_spec(settings, critical=False)  # node, npm and the script, checked first
    sockets = bind(settings)
    channel, theirs = Channel.pair()
    try:
        # The guard stands between this process and the server: no --parent check.
        argv, fds = child_argv("geppetto_dev.serve", theirs, sockets, parent=None)
        channel.send(Start(settings, overrides=dict(overrides or {})))
        server = ProcessSpec(
            "server", argv, cwd=settings.project_dir, env=child_env(), pass_fds=tuple(fds)
        )
        assert watcher.cwd is not None
        webapp = watcher.cwd

        def on_build() -> None:
            if not settings.reload:
                runner.say(
                    "webpack", "build finished (with --reload, open pages reload by themselves)"
                )
                return
            runner.say("webpack", "build finished; reloading open pages")
            try:
                channel.send(FrontendBuilt())
            except ChannelClosed:
                runner.say("webpack", "could not reload open pages: the server has stopped")

        def on_failed(problems: tuple[Problem, ...]) -> None:
            first = problems[0]
            where = f"{first.where}: " if first.where else ""
            runner.say("webpack", f"build failed: {where}{first.title}: {first.message}")
            if not settings.reload:
                runner.say("webpack", "(with --reload, open pages show build errors)")
                return
            with contextlib.suppress(ChannelClosed):  # the server stopped: nowhere to show
                channel.send(FrontendFailed(problems))

        outcomes = BuildOutcomes(webapp, on_build, on_failed)
        watcher = dataclasses.replace(watcher, on_line=outcomes.feed)
        runner = Runner([server, watcher])
        say = functools.partial(runner.say, "webpack")
        monitor = BuildMonitor(webapp / "build", outcomes.built, say=say).start()
        try:
            return runner.run()
        finally:
            monitor.stop()
            outcomes.stop()
    finally:
        channel.close()
        theirs.close()
        for sock in sockets:
            sock.close()


def _listen(channel: Channel, post: Callable[[Event], None] | None) -> None:
    """Pass build outcomes on to the supervisor; stop as if told when the parent is gone."""
    try:
        while True:
            message, _fds = channel.recv()
            if isinstance(message, (FrontendBuilt, FrontendFailed)) and post is not None:
                post(message)
    except ChannelClosed:
        os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    """The server child of `serve --build-watch`, run as `python -m geppetto_dev.serve`."""
    from geppetto_dev.procs.handoff import adopt

    adopted = adopt("python -m geppetto_dev.serve", Start, argv)
    settings, sockets = adopted.start.settings, adopted.sockets
    post: Callable[[Event], None] | None = None
    supervisor = None
    if settings.reload:
        from geppetto_dev.reload.settings_change import BUILD_WATCH_SETTINGS, SESSION_SETTINGS
        from geppetto_dev.reload.supervisor import Supervisor

        # The frontend watcher beside this server read its settings once, like the socket.
        fixed = SESSION_SETTINGS | BUILD_WATCH_SETTINGS
        supervisor = Supervisor(
            settings, sockets=sockets, overrides=adopted.start.overrides, fixed=fixed
        )
        post = supervisor.post
    threading.Thread(target=_listen, args=(adopted.channel, post), daemon=True).start()
    if supervisor is not None:
        sys.exit(supervisor.run())
    sys.exit(_serve_here(settings, sockets))


if __name__ == "__main__":
    main()
