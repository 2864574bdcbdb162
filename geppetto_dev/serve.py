"""`geppetto-dev serve`: plain, under the reload supervisor, or beside the frontend watcher.

With `--build-watch`, the server and the frontend watcher run in one terminal.

Both run as children of a honcho-like runner, each line prefixed (`server |`, `webpack |`). The
server child is `geppetto-dev serve` itself (with `--reload`, the reload supervisor), given this
command's options through GEPPETTO_DEV_* variables, which the settings read below the command
line and above pyproject.toml: the child ends up with exactly the settings of this process.

When a frontend build finishes (the build folder changed, then stayed unchanged), open pages are
reloaded by a POST to the server's live-reload endpoint, which exists with `--reload`. The
watcher is not critical: if it crashes, that is reported and the server keeps serving.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from geppetto_dev.config import ENV_PREFIX, Settings
from geppetto_dev.frontend.watch import BuildMonitor, watcher_spec
from geppetto_dev.procs.runner import ProcessSpec, Runner
from geppetto_dev.reload.livereload import LIVERELOAD_PATH

__all__ = ["serve", "serve_with_build_watch", "settings_env"]

_SERVING = re.compile(r"Serving Geppetto on (https?://\S+?)/?(?:\s|$)")


def serve(
    settings: Settings, *, build_watch: bool = False, overrides: Mapping[str, Any] | None = None
) -> int:
    """`geppetto-dev serve`: plain, `--reload`, or either beside the frontend's watcher."""
    if build_watch:
        return serve_with_build_watch(settings, overrides or {})
    if settings.reload:
        from geppetto_dev.reload.supervisor import Supervisor

        return Supervisor(settings).run()
    from geppetto_dev.logs import configure as configure_logging
    from geppetto_dev.server.run import run

    configure_logging()
    run(settings)
    return 0


def settings_env(overrides: Mapping[str, Any]) -> dict[str, str]:
    """The command line's settings as GEPPETTO_DEV_* variables (None means "not given")."""
    env: dict[str, str] = {}
    for name, value in overrides.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | tuple):
            text = ",".join(str(item) for item in value)
        else:
            text = str(value)
        env[ENV_PREFIX + name.upper()] = text
    return env


def _local_url(url: str) -> str:
    """The printed URL, with a wildcard address replaced by loopback (the POST comes from here)."""
    return url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:")


def serve_with_build_watch(settings: Settings, overrides: Mapping[str, Any]) -> int:
    watcher = watcher_spec(settings, critical=False)  # node, npm and the script, checked first
    if settings.port:
        # A busy port is one line before anything starts, not a server dying beside a watcher.
        from geppetto_dev.server.run import bind

        for sock in bind(settings):
            sock.close()

    server_url: list[str] = []

    def on_server_line(line: str) -> None:
        found = _SERVING.search(line)
        if found:
            server_url[:] = [_local_url(found.group(1))]

    env = {**os.environ, **settings_env(overrides)}
    server = ProcessSpec(
        "server",
        [sys.executable, "-m", "geppetto_dev", "serve"],
        cwd=settings.project_dir,
        env=env,
        on_line=on_server_line,
    )
    runner = Runner([server, watcher])

    def on_build() -> None:
        if not settings.reload:
            runner.say("webpack", "build finished (with --reload, open pages reload by themselves)")
            return
        if not server_url:
            return  # the server is not up yet: pages loaded later get the new build anyway
        runner.say("webpack", "build finished; reloading open pages")
        request = urllib.request.Request(server_url[0] + LIVERELOAD_PATH, data=b"", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5):
                pass
        except (urllib.error.URLError, OSError) as exc:
            runner.say("webpack", f"could not reload open pages: {exc}")

    assert watcher.cwd is not None
    say = functools.partial(runner.say, "webpack")
    monitor = BuildMonitor(watcher.cwd / "build", on_build, say=say).start()
    try:
        return runner.run()
    finally:
        monitor.stop()
