"""The Watcher fed scripted change sets instead of the kernel's: its filtering and rescans, fast.

`Watcher(watch=...)` takes a function shaped like watchfiles.watch; this one yields a script of
change sets per watching thread (flat roots, recursive sub-folders), then waits for the stop.
Real kernel watches are tested in test_reload_parts.py and end to end.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from watchfiles import Change

from geppetto_dev.config import load_settings
from geppetto_dev.reload.watch import Watcher, plan_watch

RawChanges = set[tuple[Change, str]]
Step = RawChanges | Callable[[], RawChanges]  # a callable runs just before its set is yielded


class ScriptedWatch:
    """Per thread (recursive or not), one script per call: the change sets it yields."""

    def __init__(self, flat: list[list[Step]], deep: list[list[Step]]) -> None:
        self.scripts = {False: flat, True: deep}
        self.calls: queue.SimpleQueue[tuple[bool, tuple[Path, ...]]] = queue.SimpleQueue()
        self.deep_started = threading.Event()

    def __call__(
        self, *paths: Path, recursive: bool, stop_event: Any, **_: Any
    ) -> Iterator[RawChanges]:
        self.calls.put((recursive, paths))
        script = self.scripts[recursive].pop(0) if self.scripts[recursive] else []
        yield set()  # watchfiles' first yield: the watches are in place
        if recursive:
            self.deep_started.set()
        for step in script:
            yield step() if callable(step) else step
        while not stop_event.is_set():
            stop_event.wait(0.01)


def test_only_project_sources_are_reported_and_the_start_waits_for_the_watches(
    tmp_path: Path,
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "node_modules").mkdir()
    plan = plan_watch(load_settings(project_dir=tmp_path, environ={}))
    source = tmp_path / "pkg" / "mod.py"
    watch = ScriptedWatch(
        flat=[[{(Change.modified, str(tmp_path / "app.py"))}]],
        deep=[
            [
                {
                    (Change.modified, str(source)),
                    (Change.modified, str(tmp_path / "pkg" / "notes.txt")),
                    (Change.added, str(tmp_path / "pkg" / "__pycache__" / "mod.cpython.pyc")),
                }
            ]
        ],
    )
    reported: queue.SimpleQueue[set[Path]] = queue.SimpleQueue()
    watcher = Watcher(plan, reported.put, watch=watch)
    watcher.start()
    try:
        assert watcher.wait_ready(5)
        got = reported.get(timeout=5) | reported.get(timeout=5)
        assert got == {tmp_path / "app.py", source}
        assert reported.empty()
        deep_paths = next(p for r, p in (watch.calls.get(), watch.calls.get()) if r)
        assert tmp_path / "node_modules" not in deep_paths  # never handed to the kernel
    finally:
        watcher.stop()
    assert not any(t.is_alive() for t in watcher._threads)


def test_a_new_top_level_folder_is_watched_without_a_restart(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    plan = plan_watch(load_settings(project_dir=tmp_path, environ={}))
    new = tmp_path / "newpkg"

    def make_folder() -> RawChanges:
        assert watch.deep_started.wait(5)
        new.mkdir()
        return {(Change.added, str(new))}

    watch = ScriptedWatch(flat=[[make_folder]], deep=[])
    watcher = Watcher(plan, lambda paths: None, watch=watch)
    watcher.start()
    try:
        # The flat watch sees the folder appear; the recursive watch restarts with it included.
        calls = [watch.calls.get(timeout=5) for _ in range(3)]
        first, again = [paths for recursive, paths in calls if recursive]
        assert new not in first and new in again
    finally:
        watcher.stop()
