"""Leader of a runner child's process group: the whole group ends when the runner goes away.

Usage (run as a script, so it imports nothing of the package and starts in tens of ms):

    python -I guard.py RUNNER_PID [--fds FD,FD...] -- COMMAND [ARGS...]

`npm run watch` starts a shell that starts node; Linux's parent-death signal reaches only the
runner's direct child, and npm does not pass a SIGTERM on to node, so a runner killed with
SIGKILL (or a closed terminal) used to leave webpack running. This guard is that direct child:
on SIGTERM, SIGINT or SIGHUP, or when the runner dies, it signals its whole group, and SIGKILLs
the group if it is still there after a grace period. When the command exits by itself, whatever
it left in the group is stopped too. The exit code is the command's (128 + N for signal N).
`--fds` names descriptors the command inherits (listening sockets and a channel from `serve`).

Why it does not use groups.stop_group and signals.on_stop_signals: it runs in isolated mode
(`-I`), where the package may not be importable at all, and it must start in tens of ms. Its
job is also the other half of stopping: it is the group's leader, not the parent waiting on it.
`guarded()` (for the parent) lives here beside it so the two ends of the argv stay together.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

__all__ = ["GRACE", "guarded", "main"]

GRACE = 4.0
_PR_SET_PDEATHSIG = 1


def guarded(argv: Sequence[str], pass_fds: Sequence[int] = ()) -> list[str]:
    """`argv` run under this guard, for the process that starts it (its parent).

    `pass_fds` go on to the command; the parent must pass them to the guard as well.
    """
    fds = ["--fds", ",".join(map(str, pass_fds))] if pass_fds else []
    return [sys.executable, "-I", str(Path(__file__)), str(os.getpid()), *fds, "--", *argv]


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no usable libc: no death signal
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the runner died before the line above took effect
        raise SystemExit(128 + signal.SIGTERM)


def _signal_rest_of_group(sig: int) -> None:
    """Signal the group; the guard ignores SIGTERM by then, so only the others get it."""
    with contextlib.suppress(ProcessLookupError):  # the group is already gone
        os.killpg(0, sig)


def main(argv: list[str]) -> int:
    fds: list[int] = []
    if len(argv) > 3 and argv[2] == "--fds":
        fds = [int(fd) for fd in argv[3].split(",") if fd]
        argv = argv[:2] + argv[4:]
    if len(argv) < 4 or argv[2] != "--":
        print("usage: guard.py RUNNER_PID [--fds FD,FD...] -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    _die_with(int(argv[1]))
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            return
        stopping.set()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _signal_rest_of_group(signal.SIGTERM)
        # Last resort: the whole group, the guard included.
        killer = threading.Timer(GRACE, _signal_rest_of_group, args=(signal.SIGKILL,))
        killer.daemon = True
        killer.start()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        child = subprocess.Popen(argv[3:], pass_fds=fds)
    except OSError as exc:
        print(f"cannot start {argv[3]}: {exc}", file=sys.stderr)
        return 127
    code = child.wait()
    # Leftovers (a shell's other children, node after npm exited) go with the command.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _signal_rest_of_group(signal.SIGTERM)
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
