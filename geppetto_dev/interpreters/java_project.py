"""Java Geppetto projects: the project JSON (``GEPPETTO.json``, ``project.json``) and the XMI
model it points at, read into typed values.

The JSON is read as Gson read it (leniently: unquoted keys, single quotes, comments) and its
values converted as Gson's field types did (``id: "1"`` is 1, ``lastModified: 1436102517799``
is the string ``"1436102517799"``). The model is ``geppettoModel.url``, relative to the
project file; reading it resolves its ImportTypes and adds the ``time`` state variable, as the
Java server's RuntimeProject did. :meth:`JavaExperiment.experiment_fields` gives an
experiment as the keyword arguments of ``geppetto_dev.projects.Experiment``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geppetto_dev.interpreters import gson
from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.imports import InterpreterLookup, Origin, open_href
from geppetto_dev.interpreters.remote import Fetcher
from geppetto_dev.interpreters.text import decode_text
from geppetto_dev.interpreters.xmi import XmiModel, read_xmi
from geppetto_dev.model import GeppettoModel

__all__ = [
    "STATUSES",
    "AspectConfiguration",
    "JavaExperiment",
    "JavaProject",
    "SimulatorConfiguration",
    "parse_java_project",
    "read_java_project",
]

STATUSES = ("DESIGN", "QUEUED", "RUNNING", "COMPLETED", "ERROR", "CANCELED", "DELETED")


@dataclass(frozen=True)
class SimulatorConfiguration:
    id: int | None
    simulator_id: str
    conversion_service_id: str | None
    timestep: float | None  # seconds
    length: float | None  # seconds
    parameters: Mapping[str, str]  # e.g. {"target": "net1"}: the LEMS target network


@dataclass(frozen=True)
class AspectConfiguration:
    id: int | None
    instance: str  # the model variable path it configures
    watched_variables: tuple[str, ...]
    model_parameters: tuple[tuple[str, float], ...]  # (variable path, value)
    simulator: SimulatorConfiguration | None


@dataclass(frozen=True)
class JavaExperiment:
    id: int
    name: str
    description: str
    status: str
    script: str | None  # a URL the client fetches through get_script and runs
    creation_date: str | None  # epoch milliseconds, as text
    last_modified: str | None
    view: str | None  # viewStates as JSON text
    aspects: tuple[AspectConfiguration, ...]

    @property
    def simulator(self) -> SimulatorConfiguration | None:
        return next((a.simulator for a in self.aspects if a.simulator), None)

    def experiment_fields(self) -> dict[str, Any]:
        """Keyword arguments of ``geppetto_dev.projects.Experiment`` (what is absent keeps its
        default): watched variables and parameters of every aspect, the first simulator."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "description": self.description}
        out["watched"] = tuple(w for a in self.aspects for w in a.watched_variables)
        out["parameters"] = {k: v for a in self.aspects for k, v in a.model_parameters}
        if self.aspects:
            out["instance"] = self.aspects[0].instance
        sim = self.simulator
        if sim is not None:
            out["simulator_id"] = sim.simulator_id
            if sim.timestep is not None:
                out["timestep"] = sim.timestep
            if sim.length is not None:
                out["length"] = sim.length
        if self.script:
            out["script"] = self.script
        return out


@dataclass(eq=False)
class JavaProject:
    id: int | None
    name: str
    active_experiment_id: int | None
    is_public: bool
    model_url: str
    model_type: str
    view: str | None
    experiments: tuple[JavaExperiment, ...]
    origin: Origin | None = None
    xmi: XmiModel | None = None  # set when the model was read

    @property
    def model(self) -> GeppettoModel:
        if self.xmi is None:
            raise InterpreterError(self.model_url, "the project's model was not read")
        return self.xmi.model

    def experiment(self, experiment_id: int) -> JavaExperiment | None:
        return next((e for e in self.experiments if e.id == experiment_id), None)


# -- Gson's conversions -------------------------------------------------------------------------


class _Fields:
    """One JSON object with its JSON path, converting fields as Gson's adapters did."""

    def __init__(self, data: Any, where: str, source: Path | str) -> None:
        if not isinstance(data, dict):
            raise InterpreterError(source, f"{where} must be an object, not {_kind(data)}")
        self.data = data
        self.where = where
        self.source = source

    def error(self, key: str, message: str) -> InterpreterError:
        return InterpreterError(self.source, f"{self.where}.{key}: {message}")

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (bool, int, float)):
            return json.dumps(value)
        raise self.error(key, f"must be text, not {_kind(value)}")

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                raise self.error(key, f"{value!r} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(key, f"must be a whole number, not {_kind(value)}")
        if isinstance(value, float) and not value.is_integer():
            raise self.error(key, f"{value!r} is not a whole number")
        return int(value)

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            raise self.error(key, f"{value!r} is not a number") from None
        if not math.isfinite(number):
            raise self.error(key, f"{value!r} is not a finite number")
        return number

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, f"must be a list, not {_kind(value)}")
        return [v for v in value if v is not None]  # Gson reads [a,] as [a, null]

    def child(self, key: str) -> _Fields | None:
        value = self.data.get(key)
        return None if value is None else _Fields(value, f"{self.where}.{key}", self.source)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )


def _view(f: _Fields) -> str | None:
    view = f.child("view")
    states = view.data.get("viewStates") if view else None
    if states is None:
        return None
    return states if isinstance(states, str) else json.dumps(states)


def _simulator(f: _Fields) -> SimulatorConfiguration:
    params = f.child("parameters")
    return SimulatorConfiguration(
        id=f.integer("id"),
        simulator_id=f.text("simulatorId") or "",
        conversion_service_id=f.text("conversionServiceId"),
        timestep=f.number("timestep"),
        length=f.number("length"),
        parameters={k: params.text(k) or "" for k in params.data} if params else {},
    )


def _aspect(f: _Fields) -> AspectConfiguration:
    watched = []
    for i, w in enumerate(f.items("watchedVariables")):
        if not isinstance(w, str):
            raise f.error(f"watchedVariables[{i}]", "must be a variable path (text)")
        watched.append(w)
    parameters = []
    for i, p in enumerate(f.items("modelParameters") or f.items("modelParameter")):
        pf = _Fields(p, f"{f.where}.modelParameters[{i}]", f.source)
        variable, value = pf.text("variable"), pf.number("value")
        if variable:
            parameters.append((variable, value if value is not None else 0.0))
    sim = f.child("simulatorConfiguration")
    return AspectConfiguration(
        id=f.integer("id"),
        instance=f.text("instance") or "",
        watched_variables=tuple(watched),
        model_parameters=tuple(parameters),
        simulator=_simulator(sim) if sim else None,
    )


def _experiment(f: _Fields) -> JavaExperiment:
    experiment_id = f.integer("id")
    if experiment_id is None:
        raise f.error("id", "every experiment needs an id")
    status = (f.text("status") or "DESIGN").upper()
    if status not in STATUSES:
        raise f.error("status", f"{status!r} is none of {', '.join(STATUSES)}")
    aspects = f.items("aspectConfigurations")
    return JavaExperiment(
        id=experiment_id,
        name=f.text("name") or f"Experiment {experiment_id}",
        description=f.text("description") or "",
        status=status,
        script=f.text("script") or None,
        creation_date=f.text("creationDate"),
        last_modified=f.text("lastModified"),
        view=_view(f),
        aspects=tuple(
            _aspect(_Fields(a, f"{f.where}.aspectConfigurations[{i}]", f.source))
            for i, a in enumerate(aspects)
        ),
    )


def parse_java_project(data: Any, source: Path | str = "<project>") -> JavaProject:
    """A project from its JSON (text, read leniently, or already parsed); the model unread."""
    if isinstance(data, (str, bytes)):
        data = gson.loads(data if isinstance(data, str) else decode_text(data), source=source)
    f = _Fields(data, "$", source)
    model = f.child("geppettoModel")
    url = model.text("url") if model else None
    if not url:
        raise InterpreterError(
            source,
            "names no model (geppettoModel.url)",
            hint='e.g. geppettoModel: {url: "model.xmi"}',
        )
    experiments = tuple(
        _experiment(_Fields(e, f"$.experiments[{i}]", source))
        for i, e in enumerate(f.items("experiments"))
    )
    ids = [e.id for e in experiments]
    if len(set(ids)) != len(ids):
        raise InterpreterError(source, "two experiments have one id")
    return JavaProject(
        id=f.integer("id"),
        name=f.text("name") or url,
        active_experiment_id=f.integer("activeExperimentId"),
        is_public=f.flag("isPublic"),
        model_url=url,
        model_type=(model.text("type") if model else None) or "GEPPETTO_PROJECT",
        view=_view(f),
        experiments=experiments,
    )


def read_java_project(
    source: Origin | ModelFile | Path | str,
    root: Path | str | None = None,
    *,
    interpreters: InterpreterLookup | None = None,
    fetch: Fetcher | None = None,
) -> JavaProject:
    """Read a project file and its model (ImportTypes resolved with `interpreters`; http(s)
    URLs only through `fetch`)."""
    if isinstance(source, Origin):
        origin = source
    elif isinstance(source, ModelFile):
        origin = Origin(source)
    else:
        origin = Origin.local(source, root)
    where = origin.url or origin.file.path
    project = parse_java_project(origin.file.read_bytes(), where)
    project.origin = origin
    model_origin = open_href(origin, project.model_url, fetch)
    project.xmi = read_xmi(model_origin, interpreters=interpreters, fetch=fetch)
    project.xmi.model.ensure_time()
    return project
