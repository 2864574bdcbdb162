"""A pygeppetto model as one connection's model (extra `geppetto-dev[pygeppetto]`).

pygeppetto's serializer records what was sent inside the model (`synched` flags), so every
connection works on a copy of its own: the project's build function runs once per load.
Its hooks get the pygeppetto model: `resolve_type` returns the new type (swapped in place
here, as Java does); `resolve_value` and `fetch_variable` change the model themselves
(objects pygeppetto's factory makes are unsynched, so they go out in the next delta).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from geppetto_dev.model import pygeppetto as gp
from geppetto_dev.projects.connection_model import plain_path, state_inputs

__all__ = ["PygeppettoModel"]


class PygeppettoModel:
    def __init__(self, model: Any, *, with_time: bool) -> None:
        self._model = model
        self._lock = threading.RLock()
        if with_time and not any(v.id == "time" for v in model.variables):
            _add_time(model)

    @property
    def model(self) -> Any:
        return self._model

    def delta(self) -> str:
        with self._lock:
            return gp.to_json(self._model, delta=True)

    def resolve_types(self, paths: Sequence[str], hook: Callable[[Any, Any], Any]) -> str:
        with self._lock:
            for path in paths:
                old = gp.find_type(self._model, path)
                if type(old).__name__ != "ImportType":
                    continue
                new = hook(self._model, old)
                if new is not None and new is not old:
                    gp.replace_type(self._model, old, new)
            return gp.to_json(self._model, delta=True)

    def resolve_value(self, path: str, hook: Callable[[Any, str], Any]) -> str:
        with self._lock:
            hook(self._model, plain_path(path))
            return gp.to_json(self._model, delta=True)

    def fetch_variable(
        self, variable_id: str, data_source_id: str, hook: Callable[[Any, str, str], Any]
    ) -> str:
        with self._lock:
            hook(self._model, variable_id, data_source_id)
            return gp.to_json(self._model, delta=True)

    def has_path(self, path: str) -> bool:
        with self._lock:
            try:
                gp.pointer_to_dict(self._model, plain_path(path))
            except KeyError:
                return False
            return True

    def experiment_state(
        self,
        experiment_id: int,
        project_id: int,
        watched: Sequence[str],
        results: Mapping[str, Any] | None,
        parameters: Sequence[tuple[str, float]] = (),
    ) -> str:
        recorded, set_parameters = state_inputs(watched, results, parameters)
        with self._lock:
            return gp.experiment_state_json(
                self._model, experiment_id, project_id, recorded, set_parameters
            )


def _add_time(model: Any) -> None:
    """The top-level `time` StateVariable (unit s) the Java server adds to every model."""
    factory_module = importlib.import_module("pygeppetto.model.model_factory")
    values = importlib.import_module("pygeppetto.model.values")
    factory = factory_module.GeppettoModelFactory(model.libraries[0])
    quantity = values.PhysicalQuantity(unit=values.Unit(unit="s"))
    model.variables.append(factory.create_state_variable("time", quantity))
