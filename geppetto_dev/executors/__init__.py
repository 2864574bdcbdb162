"""Where experiment runs execute: one `concurrent.futures.Executor` interface.

`make_executor(settings.experiment_cluster)` gives a local process pool by default, or a client
of a Dask distributed scheduler, so the same project runs its simulations on a laptop, a
workstation or an HPC cluster without a code change. What crosses into the executor must be
picklable: a module-level function and plain data.
"""

from __future__ import annotations

from geppetto_dev.executors.factory import Cancellable, cancel, describe, make_executor
from geppetto_dev.executors.local import LocalExecutor
from geppetto_dev.executors.progress import Progress
from geppetto_dev.executors.tracked import TrackedExecutor

__all__ = [
    "Cancellable",
    "LocalExecutor",
    "Progress",
    "TrackedExecutor",
    "cancel",
    "describe",
    "make_executor",
]
