"""`geppetto-dev build-watch`: the frontend's watch script, prefixed, stopped as a whole tree.

Also holds `BuildMonitor`, which tells when a frontend build has finished by watching the build
folder rather than parsing webpack's output: the wording changed across webpack versions (and
Geppetto forks use several), while "the build files stopped changing" holds for all of them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from geppetto_dev.config import Settings
from geppetto_dev.frontend import npm
from geppetto_dev.frontend.preflight import preflight
from geppetto_dev.procs.runner import ProcessSpec, Runner

__all__ = ["BuildMonitor", "run_build_watch", "watcher_spec"]


def watcher_spec(settings: Settings, *, critical: bool = True) -> ProcessSpec:
    """The watch script as a runner process named `webpack`; checks node, npm and the script."""
    preflight(("node", "npm"))
    argv, webapp = npm.watch_command(settings)
    return ProcessSpec("webpack", argv, cwd=webapp, critical=critical)


def run_build_watch(settings: Settings) -> int:
    spec = watcher_spec(settings)
    runner = Runner([spec])
    runner.say("webpack", f"{' '.join(spec.argv)} in {spec.cwd} (Ctrl-C to stop)")
    return runner.run()


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of every file under `folder` (the build output is small)."""
    entries = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:
                continue
            entries.append((path, st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))


class BuildMonitor:
    """Calls `on_build()` once after the files under `folder` change and then stay unchanged.

    Polling (a few stats every `interval`) instead of inotify: the build folder is small, and
    this works the same on every platform and file system, including Docker bind mounts.
    A failing `on_build` is reported through `say` (under `serve --build-watch`, the runner's
    prefixed output), and monitoring goes on.
    """

    def __init__(
        self,
        folder: Path,
        on_build: Callable[[], None],
        *,
        say: Callable[[str], None] = print,
        interval: float = 0.2,
        quiet: float = 0.4,
    ) -> None:
        self.folder = folder
        self.on_build = on_build
        self.say = say
        self.interval = interval
        self.quiet_polls = max(1, round(quiet / interval))
        self._stop = threading.Event()
        self._baseline: tuple[tuple[str, int, int], ...] = ()
        self._thread = threading.Thread(target=self._loop, name="build-monitor", daemon=True)

    def start(self) -> BuildMonitor:
        # The baseline is taken here, not in the thread: a build that ends right after start()
        # returns would otherwise be part of the baseline whenever the thread starts late.
        self._baseline = _stamp(self.folder)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        built = self._baseline
        seen = built
        still = 0
        while not self._stop.wait(self.interval):
            now = _stamp(self.folder)
            if now != seen:
                seen, still = now, 0
                continue
            still += 1
            if now != built and still >= self.quiet_polls:
                built = now
                try:
                    self.on_build()
                except Exception as exc:  # a failed reload must not end the monitoring
                    self.say(f"build monitor: reload failed: {exc!r}")
