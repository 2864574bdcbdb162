"""Database rows <-> the projects layer's ExperimentRecord, and results read on demand."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geppetto_dev import model as gm
from geppetto_dev.projects.records import COMPLETED, DESIGN, ERROR, QUEUED, ExperimentRecord
from geppetto_dev.storage.db import Database
from geppetto_dev.storage.schema import ExperimentRow, ResultRow, SimulatorSettingsRow
from geppetto_dev.storage.servers import IN_FLIGHT, now_ms

__all__ = [
    "DELETED",
    "StoredResults",
    "apply_changes",
    "new_row",
    "record_of_row",
    "simulator_settings",
]

DELETED = "DELETED"


class StoredResults(Mapping[str, Any]):
    """An experiment's results, read from the database on first access."""

    def __init__(self, db: Database, project_id: int, experiment_id: int) -> None:
        self._db = db
        self._key = (project_id, experiment_id)
        self._data: dict[str, gm.TimeSeries] | None = None

    def _load(self) -> dict[str, gm.TimeSeries]:
        if self._data is None:
            with self._db.read() as session:
                rows = session.scalars(
                    select(ResultRow)
                    .where(
                        ResultRow.project_id == self._key[0],
                        ResultRow.experiment_id == self._key[1],
                    )
                    .order_by(ResultRow.position)
                )
                self._data = {
                    r.path: gm.TimeSeries([float(v) for v in r.values], r.unit) for r in rows
                }
        return self._data

    def __getitem__(self, key: str) -> gm.TimeSeries:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def _series(value: Any) -> tuple[list[float], str | None]:
    """(samples, unit) of a TimeSeries (ours or pygeppetto's) or a plain list of numbers."""
    if isinstance(value, gm.TimeSeries):
        return [float(v) for v in value.value], value.unit
    samples = getattr(value, "value", value)
    unit = getattr(value, "unit", None)
    unit = getattr(unit, "unit", unit)
    return [float(v) for v in samples], (str(unit) if unit is not None else None)


def new_row(
    server_id: str, project_id: int, experiment_id: int, record: ExperimentRecord
) -> ExperimentRow:
    row = ExperimentRow(project_id=project_id, id=experiment_id, name=record.name)
    row.last_modified = now_ms()
    row.status, row.run, row.results = DESIGN, 0, []
    fields = {
        k: getattr(record, k)
        for k in (
            "description", "watched", "parameters", "timestep", "length",
            "simulator_id", "instance", "script", "view",
        )
    }  # fmt: skip
    if record.conversion_service_id is not None or record.simulator_parameters:
        fields["conversion_service_id"] = record.conversion_service_id
        fields["simulator_parameters"] = record.simulator_parameters
    apply_changes(server_id, None, row, fields)
    return row


def apply_changes(
    server_id: str, session: Session | None, row: ExperimentRow, changes: Mapping[str, Any]
) -> None:
    now = now_ms()
    for key, value in changes.items():
        if key == "last_modified":
            continue  # always now
        if key == "watched":
            row.watched = [str(p) for p in value]
        elif key == "parameters":
            row.parameters = [[str(p), float(v)] for p, v in value]
        elif key == "results":
            row.results = []
            if session is not None:
                session.flush()  # old rows go before the new ones share their keys
            for position, (path, series) in enumerate((value or {}).items()):
                samples, unit = _series(series)
                row.results.append(
                    ResultRow(position=position, path=str(path), unit=unit, values=samples)
                )
        elif key == "status":
            row.status = value
            if value in IN_FLIGHT:
                row.owner = server_id
                if value == QUEUED:
                    row.submitted_at, row.finished_at = now, None
            else:
                row.owner = None
                if value in (COMPLETED, ERROR):
                    row.finished_at = now
        elif key in ("conversion_service_id", "simulator_parameters"):
            settings = row.simulator
            if settings is None:
                settings = row.simulator = SimulatorSettingsRow(parameters={})
            if key == "conversion_service_id":
                settings.conversion_service_id = value
            else:
                settings.parameters = {str(k): str(v) for k, v in value}
        elif key in _RECORD_FIELDS:
            setattr(row, key, value)
        else:
            raise TypeError(f"ExperimentRecord has no field {key!r}")
    row.last_modified = now


def simulator_settings(row: Any) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """(conversion service, simulator parameters) of an ExperimentRow, or of a plain row of
    the experiments table outer-joined with the simulator settings (see `listing`)."""
    settings = getattr(row, "simulator", None)
    if settings is not None:
        service, parameters = settings.conversion_service_id, settings.parameters
    else:
        service = getattr(row, "conversion_service_id", None)
        parameters = getattr(row, "simulator_parameters", None)
    return service, tuple((str(k), str(v)) for k, v in (parameters or {}).items())


def record_of_row(db: Database, row: Any, *, with_results: bool = True) -> ExperimentRecord:
    """From an ExperimentRow or a plain row of its table (same attribute names)."""
    results = (
        StoredResults(db, row.project_id, row.id)
        if with_results and row.status == COMPLETED
        else None
    )
    service, simulator_parameters = simulator_settings(row)
    return ExperimentRecord(
        id=row.id,
        name=row.name,
        description=row.description or "",
        status=row.status,
        watched=tuple(row.watched or ()),
        parameters=tuple((str(p), float(v)) for p, v in (row.parameters or ())),
        timestep=row.timestep,
        length=row.length,
        simulator_id=row.simulator_id,
        instance=row.instance or "",
        script=row.script,
        view=row.view,
        last_modified=str(row.last_modified),
        run=row.run,
        results=results,
        error=row.error,
        conversion_service_id=service,
        simulator_parameters=simulator_parameters,
    )


_RECORD_FIELDS = {
    "name", "description", "timestep", "length", "simulator_id", "instance", "script", "view",
    "run", "error",
}  # fmt: skip
