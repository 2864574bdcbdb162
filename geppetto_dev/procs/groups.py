"""Process groups for server children: tie them to their parent, stop the whole group.

A server child may start processes of its own; signalling the group reaches all of them. The
children are not always our direct children (they are forked by the template process), so
"has it exited" is a callable the caller provides rather than a waitpid.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "child_env",
    "group_alive",
    "group_members",
    "own_group",
    "set_parent_death_signal",
    "stop_group",
]

_PR_SET_PDEATHSIG = 1


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send `sig` to this process when its parent dies (even by SIGKILL).

    Returns False where that is not available; the lifeline socket still ends the child then.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - no usable libc
        return False
    return bool(prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0)


def own_group() -> dict[str, Any]:
    """Popen arguments for a child in a process group of its own, away from the terminal's.

    Ctrl-C then reaches only the supervisor, which stops its children in order.
    """
    if sys.version_info >= (3, 11):
        return {"process_group": 0}
    return {"preexec_fn": os.setpgrp}  # pragma: no cover - Python 3.10


def child_env() -> dict[str, str]:
    """This environment, with this package importable by `python -m` in a child process.

    The package may be importable here only through sys.path (a source checkout, a test run),
    and the children run from the project folder.
    """
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        env["PYTHONPATH"] = os.pathsep.join([root, *paths])
    return env


def group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs (zombies waiting to be reaped do not count).

    Orphans of the group are reaped by PID 1, which in containers can take a second or more;
    killpg(pgid, 0) counts them until then, so on Linux /proc is asked instead.
    """
    if os.path.isdir("/proc/self"):
        return bool(group_members(pgid))
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a member changed user; it still exists
        return True
    return True


def group_members(pgid: int) -> list[int]:
    """Running (non-zombie) processes of a process group, from /proc (Linux)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            members.append(int(entry))
    return members


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def stop_group(
    pgid: int,
    leader_exited: Callable[[float], bool],
    *,
    grace: float = 1.5,
    kill_wait: float = 1.0,
    term_sent: bool = False,
) -> bool:
    """SIGTERM the group, wait up to `grace` for its leader, then SIGKILL what is left.

    `leader_exited(timeout)` waits for the leader and says whether it is gone. Members that
    outlive a leader which stopped cleanly are killed too: a server child's group ends with it.
    Returns True when the leader stopped by itself, False when it had to be killed.
    `term_sent`: the caller already sent SIGTERM; only wait and kill.
    """
    if not term_sent and not _signal_group(pgid, signal.SIGTERM):
        leader_exited(kill_wait)
        return True
    clean = leader_exited(grace)
    _signal_group(pgid, signal.SIGKILL)
    if not clean:
        leader_exited(kill_wait)
    # Group members are reaped by their own parents; give them a moment to disappear.
    deadline = time.monotonic() + kill_wait
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.005)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    return clean
