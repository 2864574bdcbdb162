"""Project and experiment JSON in the shape Gson writes them for the Java server.

The 0.3.8 client reads these keys by name (camelCase, as LocalGeppettoProject/LocalExperiment
serialise), and Gson leaves out null fields, so absent values are absent keys here too.
`parse_project` reads the same shape back (load_project_from_content, a fetched URL).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geppetto_dev.projects.project import as_id
from geppetto_dev.projects.records import STATUSES, ExperimentRecord

__all__ = [
    "ProjectSpec",
    "experiment_json",
    "parse_project",
    "project_json",
    "project_loaded",
]


def experiment_json(record: ExperimentRecord) -> dict[str, Any]:
    simulator: dict[str, Any] = {
        "id": record.id,
        "simulatorId": record.simulator_id,
        "timestep": record.timestep,
        "length": record.length,
        "parameters": dict(record.simulator_parameters),
    }
    if record.conversion_service_id is not None:
        simulator["conversionServiceId"] = record.conversion_service_id
    aspect: dict[str, Any] = {
        "id": record.id,
        "instance": record.instance,
        "watchedVariables": list(record.watched),
        "modelParameters": [
            {"id": i, "variable": path, "value": value}
            for i, (path, value) in enumerate(record.parameters, 1)
        ],
        "simulatorConfiguration": simulator,
    }
    out: dict[str, Any] = {
        "id": record.id,
        "name": record.name,
        "description": record.description,
        "status": record.status,
        "lastModified": record.last_modified,
        "aspectConfigurations": [aspect],
        "simulationResults": [],
    }
    if record.script:
        out["script"] = record.script
    if record.view is not None:
        out["view"] = {"id": record.id, "viewStates": record.view}
    return out


def project_json(
    project_id: int,
    name: str,
    records: Sequence[ExperimentRecord],
    *,
    model_url: str,
    active_experiment_id: int | None = None,
    view: str | None = None,
    is_public: bool = False,
) -> dict[str, Any]:
    """A LocalGeppettoProject; the active experiment is the first one unless given."""
    if active_experiment_id is None:
        active_experiment_id = records[0].id if records else -1
    out: dict[str, Any] = {
        "id": project_id,
        "name": name,
        "activeExperimentId": active_experiment_id,
        "isPublic": is_public,
        "geppettoModel": {"id": project_id, "url": model_url, "type": "GEPPETTO_PROJECT"},
        "experiments": [experiment_json(r) for r in records],
    }
    if view is not None:
        out["view"] = {"id": project_id, "viewStates": view}
    return out


def project_loaded(
    project: dict[str, Any], *, persisted: bool, read_only: bool = False
) -> dict[str, Any]:
    """The project_loaded data. The 0.3.8 client sets readOnly = !persisted and ignores
    isReadOnly; persisted is what lets it run experiments and poll their status. Newer clients
    read isReadOnly: true for a project this user may not change (another user's)."""
    inner = {"persisted": persisted, "project": project, "isReadOnly": read_only}
    return {"project_loaded": json.dumps(inner)}


@dataclass(frozen=True)
class ProjectSpec:
    """What a project JSON says: its name, the model it points at, its experiments."""

    id: int | None
    name: str
    model_url: str
    active_experiment_id: int | None
    experiments: tuple[ExperimentRecord, ...]
    view: str | None


def parse_project(text: str | dict[str, Any]) -> ProjectSpec:
    """Read a project JSON; ValueError with a sentence saying what is wrong."""
    data = json.loads(text) if isinstance(text, str) else text
    if not isinstance(data, dict):
        raise ValueError("a project JSON is an object")
    model = data.get("geppettoModel")
    url = model.get("url") if isinstance(model, dict) else None
    name = data.get("name")
    if not isinstance(url, str) and not isinstance(name, str):
        raise ValueError("the project JSON has neither geppettoModel.url nor name")
    records = tuple(_experiment(e) for e in _list(data.get("experiments"), "experiments"))
    active = data.get("activeExperimentId")
    return ProjectSpec(
        id=as_id(data.get("id")),
        name=str(name if name is not None else url),
        model_url=str(url if url is not None else name),
        active_experiment_id=as_id(active),
        experiments=records,
        view=_view(data.get("view")),
    )


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list")
    return value


def _view(value: Any) -> str | None:
    if isinstance(value, dict) and value.get("viewStates") is not None:
        states = value["viewStates"]
        return states if isinstance(states, str) else json.dumps(states)
    return None


def _experiment(data: Any) -> ExperimentRecord:
    if not isinstance(data, dict) or as_id(data.get("id")) is None:
        raise ValueError("every experiment needs a numeric id")
    watched: list[str] = []
    parameters: list[tuple[str, float]] = []
    simulator: dict[str, Any] = {}
    instance = ""
    for aspect in _list(data.get("aspectConfigurations"), "aspectConfigurations"):
        if not isinstance(aspect, dict):
            raise ValueError("aspectConfigurations holds objects")
        watched += [str(v) for v in _list(aspect.get("watchedVariables"), "watchedVariables")]
        for p in _list(aspect.get("modelParameters"), "modelParameters"):
            if isinstance(p, dict) and isinstance(p.get("variable"), str):
                parameters.append((p["variable"], float(p.get("value") or 0)))
        if isinstance(aspect.get("simulatorConfiguration"), dict):
            simulator = aspect["simulatorConfiguration"]
        instance = str(aspect.get("instance") or instance)
    status = str(data.get("status") or "DESIGN")
    if status not in STATUSES:
        raise ValueError(f"unknown experiment status {status!r}")
    return ExperimentRecord(
        id=int(as_id(data["id"]) or 0),
        name=str(data.get("name") or f"Experiment {data['id']}"),
        description=str(data.get("description") or ""),
        status=status,
        watched=tuple(watched),
        parameters=tuple(parameters),
        timestep=float(simulator.get("timestep") or 1e-05),
        length=float(simulator.get("length") or 0.1),
        simulator_id=str(simulator.get("simulatorId") or "pythonSimulator"),
        instance=instance,
        script=data.get("script") if isinstance(data.get("script"), str) else None,
        view=_view(data.get("view")),
        last_modified=str(data.get("lastModified") or "0"),
        conversion_service_id=_text(simulator.get("conversionServiceId")),
        simulator_parameters=tuple(
            (str(k), str(v)) for k, v in _dict(simulator.get("parameters")).items()
        ),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
