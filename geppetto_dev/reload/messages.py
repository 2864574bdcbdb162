"""Every message between the supervisor, the fork server and the server children, typed.

Frozen dataclasses, pickled by channel.py (every end is our own process). Receivers `match` on
them, so adding a message is one class here and one `case` where it is handled. The
supervisor's own event queue carries some of the same types (a child's Loaded, an Exited) plus
the in-process events at the bottom, so its loop is one `match` as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geppetto_dev.config import Settings
from geppetto_dev.problems import Problem

__all__ = [
    "Changes",
    "ChildReport",
    "Closing",
    "ClosingAck",
    "Event",
    "Exited",
    "Failed",
    "Fork",
    "Forked",
    "FrontendBuilt",
    "FrontendFailed",
    "Go",
    "KeptAlive",
    "Loaded",
    "Preload",
    "Preloaded",
    "Ready",
    "Reload",
    "Respawn",
    "ShowProblems",
    "Start",
    "Stop",
    "Stopped",
    "WatchError",
]

# --- to any child started with a channel: its first message --------------------------------


@dataclass(frozen=True)
class Start:
    """The resolved settings, built once by the parent; the child never re-reads them."""

    settings: Settings
    # For a server child: serve this error page instead of loading the project (see Fork).
    failure: str | None = None
    # For `serve --build-watch`'s server: the command line's settings, which still win when
    # the reload supervisor reads an edited pyproject.toml again.
    overrides: Mapping[str, Any] | None = None


# --- supervisor -> server child --------------------------------------------------------------


@dataclass(frozen=True)
class Go:
    """Start accepting connections (the previous server has stopped accepting)."""


@dataclass(frozen=True)
class Closing:
    """You are being replaced: close the live-reload sockets (1012) before the SIGTERM."""


@dataclass(frozen=True)
class Reload:
    """Reload every open page (a frontend build finished)."""


@dataclass(frozen=True)
class ShowProblems:
    """Show these errors of `source` (a save that does not compile, a failed frontend build)
    on every open page, in place of that source's earlier ones; none clears them."""

    source: str
    problems: tuple[Problem, ...] = ()


# --- server child -> supervisor --------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """The child imported the project (ok) or serves an error page (error)."""

    pid: int
    ok: bool
    error: str | None = None
    # (name, file) of every module the project imported, and where it found them: the
    # supervisor has the fork server preload those that are not watched sources.
    modules: tuple[tuple[str, str], ...] = ()
    sys_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClosingAck:
    """The live-reload sockets are closed; SIGTERM may follow."""


@dataclass(frozen=True)
class Stopped:
    """No longer accepting connections: the next server may start accepting."""


@dataclass(frozen=True)
class KeptAlive:
    """An idle kept-alive connection of the old server, its descriptor attached.

    The old server sends it to the supervisor when it stops; the supervisor sends it on to the
    new server, which serves the client's next request on it (closing it instead would race
    with that request, and the client would see a failure).
    """


ChildReport = Loaded | ClosingAck | Stopped | KeptAlive

# --- supervisor <-> fork server --------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """The fork server imported the server stack; these files are in every fork."""

    files: frozenset[Path]


@dataclass(frozen=True)
class Failed:
    """The fork server could not start or answer (a traceback, or why the handle gave up)."""

    error: str


@dataclass(frozen=True)
class Fork:
    """Fork a server child; its channel comes with this message as a descriptor.

    `failure`: the child serves this error page and never imports the project (its servers
    keep dying at startup: requests get an answer instead of waiting for one that never comes).
    `settings`: the child runs with these instead of the fork server's (pyproject.toml changed).
    """

    failure: str | None = None
    settings: Settings | None = None


@dataclass(frozen=True)
class Forked:
    pid: int


@dataclass(frozen=True)
class Preload:
    """Import these third-party modules once, for every later fork."""

    modules: tuple[str, ...]
    sys_path: tuple[str, ...]


@dataclass(frozen=True)
class Preloaded:
    files: frozenset[Path]
    # Set when a preloaded module started a thread: forking from it is no longer safe.
    tainted: str | None = None


@dataclass(frozen=True)
class Exited:
    """A server child exited (code None: its channel closed, the code is not known yet)."""

    pid: int
    code: int | None = None


# --- in-process events of the supervisor (and, for Frontend*, from `serve`'s parent) ---------


@dataclass(frozen=True)
class Changes:
    """Watched sources changed."""

    paths: frozenset[Path] = field(default_factory=frozenset)


@dataclass(frozen=True)
class WatchError:
    message: str


@dataclass(frozen=True)
class FrontendBuilt:
    """A frontend build finished: open pages reload."""


@dataclass(frozen=True)
class FrontendFailed:
    """A frontend build failed: open pages show its errors until a build succeeds."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Respawn:
    """Time to try a server again after it died at startup (`attempt` names which try)."""

    attempt: int


@dataclass(frozen=True)
class Stop:
    """End the session (Ctrl-C, SIGTERM, or the parent went away)."""


Event = (
    Changes
    | WatchError
    | FrontendBuilt
    | FrontendFailed
    | Stop
    | Respawn
    | Loaded
    | Exited
    | Preloaded
)
