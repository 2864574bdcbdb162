"""What `serve --reload` watches: the project's Python sources and pyproject.toml, nothing heavy.

A recursive watch on a project folder would register every folder below it with the kernel,
including `node_modules` of the cloned frontend (tens of thousands of folders, past the default
inotify limit). So each watched root is watched on its own (not recursively) and each of its
sub-folders that is not excluded is watched recursively; the filter then drops anything that is
not a `.py` file outside excluded folders. The project folder itself is also watched flat when
it is not a root (with --reload-dir), for its pyproject.toml (see settings_change.py).
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError

__all__ = [
    "EXCLUDED_DIR_NAMES",
    "SourceFilter",
    "WatchPlan",
    "Watcher",
    "plan_files",
    "plan_watch",
]

# Folders that never hold the project's own sources (besides names starting with a dot).
EXCLUDED_DIR_NAMES = frozenset(
    {"__pycache__", "node_modules", "build", "dist", "site-packages", "htmlcov"}
)
# Quiet period after the last change before reloading, and the longest a burst is grouped.
STEP_MS = 10
DEBOUNCE_MS = 400


@dataclass(frozen=True)
class SourceFilter:
    """Which changed paths are the project's Python sources."""

    roots: tuple[Path, ...]
    excluded_paths: tuple[Path, ...] = ()
    patterns: tuple[str, ...] = ()
    # Files watched besides the Python sources, whatever their ending (model files).
    files: frozenset[Path] = frozenset()

    def excluded_dir(self, path: Path) -> bool:
        """A folder that is never watched: by name, venv marker, exclusion or pattern."""
        name = path.name
        if name.startswith(".") or name in EXCLUDED_DIR_NAMES or name.endswith(".egg-info"):
            return True
        if any(path == p or p in path.parents for p in self.excluded_paths):
            return True
        if (path / "pyvenv.cfg").is_file():
            return True
        return self._matches(path)

    def _root_of(self, path: Path) -> Path | None:
        for root in self.roots:
            if path == root or root in path.parents:
                return root
        return None

    def _matches(self, path: Path) -> bool:
        if not self.patterns:
            return False
        candidates = [path.name, path.as_posix()]
        root = self._root_of(path)
        if root is not None:
            candidates.append(path.relative_to(root).as_posix())
        return any(fnmatch.fnmatch(c, p) for c in candidates for p in self.patterns)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return self.accepts(Path(path))

    def accepts(self, path: Path) -> bool:
        if self.files and (path in self.files or path.resolve() in self.files):
            return True
        if path.suffix != ".py":
            return False
        root = self._root_of(path)
        if root is None:
            return False
        folder = path.parent
        while folder != root:
            if self.excluded_dir(folder):
                return False
            folder = folder.parent
        return not self._matches(path)


@dataclass(frozen=True)
class WatchPlan:
    """The roots (watched flat), their sub-folders (watched recursively) and the filter.

    `settings_file`: the project's pyproject.toml, reported among the changes as well.
    """

    roots: tuple[Path, ...]
    filter: SourceFilter
    settings_file: Path | None = None

    def flat(self) -> tuple[Path, ...]:
        """The folders watched on their own: the roots, the settings file's folder, and those
        of the watched files (an editor that saves by replacing a file is seen there)."""
        folder = [self.settings_file.parent] if self.settings_file else []
        parents = [f.parent for f in sorted(self.filter.files)]
        return tuple(dict.fromkeys([*self.roots, *folder, *parents]))

    def accepts(self, path: Path) -> bool:
        """A change worth reporting: a source file, or the settings file."""
        return path == self.settings_file or self.filter.accepts(path)

    def unwatched(self, modules: Iterable[tuple[str, str]], stack: frozenset[Path]) -> list[str]:
        """Of (name, file) imported by a server, those a fork server may preload: neither a
        watched source nor already in every fork."""
        return [
            name
            for name, file in modules
            if Path(file) not in stack and not self.filter.accepts(Path(file))
        ]

    def subdirs(self) -> list[Path]:
        found: list[Path] = []
        for root in self.roots:
            try:
                entries = sorted(root.iterdir())
            except OSError:
                continue
            found.extend(
                e for e in entries if e.is_dir() and not self.filter.excluded_dir(e.resolve())
            )
        return found

    def describe(self) -> str:
        """For the startup line: the roots, the files, and the user's exclusions if any."""
        roots = ", ".join(f"'{r}'" for r in self.roots)
        patterns = ", ".join(f"'{p}'" for p in self.filter.patterns)
        watched = "Python files and pyproject.toml" if self.settings_file else "Python files"
        python = (
            f"{roots} ({watched}; excluding {patterns})" if patterns else f"{roots} ({watched})"
        )
        files = ", ".join(f"'{f}'" for f in sorted(self.filter.files))
        if not self.roots:
            return files
        return f"{python} and {files}" if files else python


def plan_watch(settings: Settings) -> WatchPlan:
    """The roots are --reload-dir (relative to the project) or the project folder."""
    project = settings.project_dir.resolve()
    roots: list[Path] = []
    for given in settings.reload_dirs or (project,):
        root = (project / given).resolve()
        if not root.is_dir():
            raise GeppettoDevError(
                f"reload directory {str(given)!r} does not exist",
                "pass an existing folder to --reload-dir",
            )
        if root not in roots:
            roots.append(root)
    excluded = [
        (project / settings.frontend_clone).resolve(),
        settings.frontend_path,
    ]
    return WatchPlan(
        roots=tuple(roots),
        filter=SourceFilter(
            roots=tuple(roots),
            excluded_paths=tuple(p for p in excluded if p not in roots),
            patterns=tuple(settings.reload_excludes),
            files=frozenset((project / f).resolve() for f in settings.model_files),
        ),
        settings_file=project / "pyproject.toml",
    )


def plan_files(files: Sequence[Path]) -> WatchPlan:
    """Only these files (no Python sources): what `geppetto-dev view --reload` watches."""
    resolved = frozenset(Path(f).resolve() for f in files)
    return WatchPlan(roots=(), filter=SourceFilter(roots=(), files=resolved))


class Watcher:
    """Calls `on_changes(paths)` from background threads until stop(); see the module doc."""

    def __init__(
        self,
        plan: WatchPlan,
        on_changes: Callable[[set[Path]], None],
        *,
        on_error: Callable[[str], None] | None = None,
        step_ms: int = STEP_MS,
        debounce_ms: int = DEBOUNCE_MS,
        watch: Callable[..., Iterable[set[tuple[watchfiles.Change, str]]]] = watchfiles.watch,
    ) -> None:
        self.plan = plan
        # watchfiles.watch; tests give a function that yields scripted change sets instead.
        self.watch = watch
        self.on_changes = on_changes
        self.on_error = on_error or (lambda message: None)
        # None: watchfiles decides (WATCHFILES_FORCE_POLLING); True after events failed us.
        self.force_polling: bool | None = None
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._rescan = threading.Event()
        self._threads: list[threading.Thread] = []
        # One per watching thread, set once its kernel watches are in place.
        self._ready = {"flat": threading.Event(), "deep": threading.Event()}

    def start(self) -> None:
        for target, name in ((self._flat, "geppetto-watch-roots"), (self._deep, "geppetto-watch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until changes are seen: a save made before that would go unnoticed."""
        deadline = time.monotonic() + timeout
        return all(e.wait(max(0.0, deadline - time.monotonic())) for e in self._ready.values())

    def stop(self) -> None:
        self._stop.set()
        self._rescan.set()
        for thread in self._threads:
            thread.join(timeout=2)

    def _watch(self, paths: Sequence[Path], recursive: bool, stop: threading.Event) -> None:
        ready = self._ready["deep" if recursive else "flat"]
        if not paths:
            ready.set()
            stop.wait()
            return
        # rust_timeout + yield_on_timeout: the first (maybe empty) yield comes once the watches
        # are registered, which is the only way watchfiles tells; idle, that is 5 wakeups/s.
        for raw in self.watch(
            *paths,
            watch_filter=None,
            debounce=self.debounce_ms,
            step=self.step_ms,
            stop_event=stop,
            recursive=recursive,
            raise_interrupt=False,
            force_polling=self.force_polling,
            rust_timeout=200,
            yield_on_timeout=True,
        ):
            ready.set()
            if raw:
                self._deliver(raw, recursive)

    def _deliver(self, raw: Iterable[tuple[watchfiles.Change, str]], recursive: bool) -> None:
        paths = {Path(p) for _change, p in raw}
        roots = self.plan.roots
        if not recursive and any(
            p.parent in roots and (p.is_dir() or not p.exists()) for p in paths
        ):
            # A folder appeared or went away at the top: watch the new set of folders.
            self._rescan.set()
        changed = {p for p in paths if self.plan.accepts(p)}
        if changed:
            self.on_changes(changed)

    def _guarded(
        self, paths: Callable[[], Sequence[Path]], recursive: bool, stop: threading.Event
    ) -> None:
        """Watch until `stop`; a failing watch is reported and retried, never silently dead."""
        while not stop.is_set():
            try:
                self._watch(paths(), recursive, stop)
                return
            except Exception as exc:  # the kernel's watch limit, a folder gone meanwhile, ...
                self._ready["deep" if recursive else "flat"].set()  # never hold up the start
                if stop.is_set():
                    return
                if self.force_polling is not True:
                    self.force_polling = True
                    self.on_error(f"file watching failed ({exc}); polling for changes instead")
                else:
                    self.on_error(f"file watching failed ({exc}); retrying")
                    stop.wait(1.0)

    def _flat(self) -> None:
        self._guarded(self.plan.flat, False, self._stop)

    def _deep(self) -> None:
        while not self._stop.is_set():
            self._rescan.clear()
            stop = _AnyEvent(self._stop, self._rescan)
            self._guarded(self.plan.subdirs, True, stop)  # type: ignore[arg-type]


class _AnyEvent:
    """Looks like an Event to watchfiles: set when either of two events is."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self.events[0].wait(0.05)
        return True
