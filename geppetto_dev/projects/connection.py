"""What one connection holds: the projects it loaded (with its own view of each model) and
the experiment status it was last told.

The 0.3.8 client only moves an experiment QUEUED -> RUNNING -> COMPLETED; a run that finishes
between two of its status polls would jump QUEUED -> COMPLETED and stay QUEUED in the UI for
ever. Remembering what each connection was told lets every run be reported RUNNING first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from geppetto_dev.projects.connection_model import ConnectionModel
from geppetto_dev.projects.records import COMPLETED, ERROR, RUNNING, ExperimentRecord
from geppetto_dev.projects.runtime import ProjectRuntime

__all__ = ["ConnectionState", "LoadedProject", "state_of"]

STATE_KEY = "geppetto_dev.projects"
_TERMINAL = (COMPLETED, ERROR)


@dataclass
class LoadedProject:
    runtime: ProjectRuntime
    model: ConnectionModel


@dataclass
class ConnectionState:
    projects: dict[int, LoadedProject] = field(default_factory=dict)
    # (project id, experiment id) -> (status told, run number it was told for)
    reported: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def loaded(self, project_id: int | None) -> LoadedProject | None:
        with self.lock:
            return self.projects.get(project_id) if project_id is not None else None

    def add(self, loaded: LoadedProject, records: list[ExperimentRecord]) -> None:
        """A load replaces what the connection had: project_loaded tells it every status."""
        with self.lock:
            self.projects[loaded.runtime.id] = loaded
            for record in records:
                self.reported[(loaded.runtime.id, record.id)] = (record.status, record.run)

    def report(self, project_id: int, record: ExperimentRecord) -> str:
        """The status to tell this connection now, remembered for the next poll."""
        key = (project_id, record.id)
        with self.lock:
            told = self.reported.get(key)
            status = record.status
            # Never told RUNNING nor the outcome of this run: say RUNNING once, then the outcome.
            seen = told is not None and told[1] == record.run and told[0] in (RUNNING, *_TERMINAL)
            if status in _TERMINAL and record.run > 0 and not seen:
                status = RUNNING
            self.reported[key] = (status, record.run)
            return status


def state_of(conn: Any) -> ConnectionState:
    """The connection's project state, made on first use (`conn.state` is per connection)."""
    found = conn.state.get(STATE_KEY)
    if found is None:
        found = conn.state.setdefault(STATE_KEY, ConnectionState())
    assert isinstance(found, ConnectionState)
    return found
