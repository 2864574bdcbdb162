"""One connection's handle on a project's model, whichever model library built it, and the
path rules both libraries share."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from geppetto_dev import model as gm

__all__ = ["ConnectionModel", "plain_path", "state_inputs", "to_time_series"]

_ANNOTATION = re.compile(r"\([^()]*\)")


def plain_path(path: str) -> str:
    """`net(net).pop(pop)[2].v(StateVariable)` -> `net.pop[2].v`; the client may send either."""
    return _ANNOTATION.sub("", path.strip())


def to_time_series(value: Any) -> Any:
    """A run hook may return a TimeSeries or a plain list of floats for each path."""
    if isinstance(value, gm.TimeSeries) or value is None:
        return value
    if isinstance(value, Sequence | range) and not isinstance(value, str):
        return gm.time_series([float(v) for v in value])
    return value  # a pygeppetto TimeSeries, left to its own serializer


class ConnectionModel(Protocol):
    """One connection's handle on a project's model."""

    @property
    def model(self) -> Any: ...

    def delta(self) -> str:
        """The EMF-JSON this connection needs next: the whole model the first time."""

    def resolve_types(self, paths: Sequence[str], hook: Callable[[Any, Any], Any]) -> str: ...

    def resolve_value(self, path: str, hook: Callable[[Any, str], Any]) -> str: ...

    def fetch_variable(
        self, variable_id: str, data_source_id: str, hook: Callable[[Any, str, str], Any]
    ) -> str: ...

    def has_path(self, path: str) -> bool: ...

    def experiment_state(
        self,
        experiment_id: int,
        project_id: int,
        watched: Sequence[str],
        results: Mapping[str, Any] | None,
        parameters: Sequence[tuple[str, float]] = (),
    ) -> str: ...


def state_inputs(
    watched: Sequence[str],
    results: Mapping[str, Any] | None,
    parameters: Sequence[tuple[str, float]],
) -> tuple[list[tuple[str, Any]], list[tuple[str, gm.PhysicalQuantity]]]:
    """What an ExperimentState records (`time` first, as Java does) and the parameters it sets,
    whichever model library writes it."""
    values = results or {}
    recorded = [("time", values.get("time"))]
    recorded += [(p, values.get(p)) for p in map(plain_path, watched) if p != "time"]
    return recorded, [(plain_path(p), gm.PhysicalQuantity(value=v)) for p, v in parameters]
