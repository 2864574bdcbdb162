"""Process groups for every child this package starts: tie them to their parent, stop them.

A child may start processes of its own (npm starts a shell that starts node; a server may run
tools); signalling its group reaches all of them. Server children are not always our direct
children (the fork server forks them), so "has it exited" is a callable the caller provides
rather than a waitpid.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "child_env",
    "group_alive",
    "group_members",
    "own_group",
    "popen_exited",
    "set_parent_death_signal",
    "signal_group",
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


def signal_group(pgid: int, sig: int) -> bool:
    """Send `sig` to every process of the group; False when the group is already gone."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def popen_exited(proc: subprocess.Popen[Any]) -> Callable[[float], bool]:
    """`leader_exited` for stop_group when the leader is our own Popen child."""

    def wait(timeout: float) -> bool:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    return wait


def stop_group(
    pgid: int,
    leader_exited: Callable[[float], bool],
    *,
    grace: float = 1.5,
    kill_wait: float = 1.0,
    term_sent: bool = False,
) -> bool:
    """Stop a whole process group: SIGTERM, a bounded wait, then SIGKILL what is left.

    The one way every child of this package is stopped (server children, the runner's guards,
    init's steps). `leader_exited(timeout)` waits for the group's leader and says whether it is
    gone: a server child forked by the fork server is not our child, so no waitpid here.

    The group gets `grace` seconds in all to end by itself, members included (npm exits before
    the node it started); whatever is still there then is SIGKILLed, and so is whatever outlives
    a leader that stopped cleanly: a group ends with its leader. Returns True when the leader
    stopped by itself, False when it had to be killed. `term_sent`: the caller already sent
    SIGTERM (to let a new server start while this one drains); only wait and kill.
    """
    if not term_sent and not signal_group(pgid, signal.SIGTERM):
        leader_exited(kill_wait)  # reap it, if it is ours
        return True
    deadline = time.monotonic() + grace
    clean = leader_exited(grace)
    while clean and group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.01)
    signal_group(pgid, signal.SIGKILL)
    if not clean:
        leader_exited(kill_wait)
    # Group members are reaped by their own parents; give them a moment to disappear.
    deadline = time.monotonic() + kill_wait
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.005)
    signal_group(pgid, signal.SIGKILL)
    return clean
