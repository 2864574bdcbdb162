"""A run's control folder: how the server stops a run that is already running, and how the
run tells the server how far it has got.

A stop must reach the process that computes, which is not the pool worker the executor knows
but the child it forked for the run (see `simulators.isolation`); a pipe to it cannot be set up
before the pool starts. A folder of plain files can: the server creates it with the run,
writes `stop` into it to stop the run, and reads `progress`, which the run rewrites as it
goes; the worker polls `stop` while it waits for its child and kills the child's process group
when it appears. It works for every local executor, and for cluster workers that share the
folder's file system. The folder is removed when the run ends.

Inside a run, `report_progress(done, total)` (simulated seconds of the run's length) writes to
the run's control; it does nothing where no control is current, so simulators and run hooks
call it unconditionally.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RunControl", "control_root", "current_control", "report_progress", "using_control"]

_STOP = "stop"
_PROGRESS = "progress"
# A run rewrites its progress file at most this often.
_REPORT_EVERY_S = 0.2


def control_root() -> Path:
    """Where this user's runs keep their control folders (private to the user)."""
    root = Path(tempfile.gettempdir()) / f"geppetto-dev-runs-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


@dataclass(frozen=True)
class RunControl:
    """The control folder of one run (picklable: it crosses to the worker with the run)."""

    folder: str

    @classmethod
    def create(cls, root: Path | None = None) -> RunControl:
        folder = (root or control_root()) / uuid.uuid4().hex
        folder.mkdir(mode=0o700)
        return cls(str(folder))

    # The server's side ----------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the run to stop; the worker kills the run's processes at its next poll."""
        with contextlib.suppress(OSError):  # the run has ended and its folder is gone
            Path(self.folder, _STOP).touch()

    def progress(self) -> tuple[float, float] | None:
        """(simulated seconds done, of the run's length), once the run has reported any."""
        try:
            done, total = Path(self.folder, _PROGRESS).read_text().split()
            return float(done), float(total)
        except (OSError, ValueError):
            return None

    def fraction(self) -> float | None:
        """How much of the run is done, from 0 to 1, once it has reported."""
        reported = self.progress()
        if reported is None or not reported[1] > 0:
            return None
        return max(0.0, min(1.0, reported[0] / reported[1]))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # The run's side --------------------------------------------------------------------------

    @property
    def stopped(self) -> bool:
        return os.path.exists(os.path.join(self.folder, _STOP))

    def report(self, done: float, total: float) -> None:
        """Write the progress (replacing the file whole, so a reader never sees half)."""
        part = os.path.join(self.folder, f"{_PROGRESS}.{os.getpid()}")
        try:
            with open(part, "w") as out:
                out.write(f"{done!r} {total!r}")
            os.replace(part, os.path.join(self.folder, _PROGRESS))
        except OSError:  # the server removed the folder: the run's result is not wanted
            pass


_current: contextvars.ContextVar[RunControl | None] = contextvars.ContextVar(
    "geppetto_dev_run_control", default=None
)
_last_report: contextvars.ContextVar[float] = contextvars.ContextVar(
    "geppetto_dev_last_report", default=0.0
)


def current_control() -> RunControl | None:
    """The control of the run this code runs in, if any."""
    return _current.get()


@contextlib.contextmanager
def using_control(control: RunControl | None) -> Iterator[None]:
    """Make `control` the current run's for the block (a worker thread, a run's child)."""
    token = _current.set(control)
    try:
        yield
    finally:
        _current.reset(token)


def report_progress(done: float, total: float, *, force: bool = False) -> None:
    """Tell the server how far the current run has got: `done` of `total` simulated seconds.

    Cheap enough to call at every step: the file is written at most five times a second
    (always with `force`), and not at all outside a run.
    """
    control = _current.get()
    if control is None:
        return
    now = time.monotonic()
    if not force and now - _last_report.get() < _REPORT_EVERY_S:
        return
    _last_report.set(now)
    control.report(done, total)
