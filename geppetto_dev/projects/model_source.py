"""A project's model as the handlers use it: built once, sent to each connection as deltas.

A `geppetto_dev.model.GeppettoModel` keeps no connection state, so one model object serves
every connection, each with its own SyncState. A pygeppetto model marks what was sent inside
the model itself, so each connection gets a copy of its own (the build function runs again).
Changes (resolve a type or value, fetch a variable) and serialisation hold the model's lock:
handlers run in a thread pool, several connections at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from geppetto_dev import model as gm
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.projects.connection_model import ConnectionModel, plain_path, state_inputs

__all__ = ["ModelSource"]


def _clock(model: gm.GeppettoModel) -> tuple[object, ...]:
    """What changes whenever the model does: every change stamps a library or a top-level
    variable with a new tick (a delta skips the ones whose stamp it has seen)."""
    return (
        model.id,
        model.name,
        len(model.libraries),
        len(model.variables),
        max((lib.changed for lib in model.libraries), default=0),
        max((var.changed for var in model.variables), default=0),
    )


class _WholeModel:
    """The whole model's JSON, made once and sent to each new connection for as long as the
    model is unchanged (a 10k-segment cell takes ~150 ms to serialise)."""

    def __init__(self) -> None:
        self.clock: tuple[object, ...] | None = None
        self.text = ""
        self.seen = -1

    def first_delta(self, model: gm.GeppettoModel, sync: gm.SyncState) -> str:
        clock = _clock(model)
        if clock != self.clock:
            self.text = gm.to_json(model, sync)
            self.clock, self.seen = clock, sync.seen
        else:  # as if this connection had been sent the model when it was serialised
            sync.model, sync.seen = model, self.seen
        return self.text


class _SharedModel:
    """A geppetto_dev.model model shared by connections; `sync` is this connection's."""

    def __init__(
        self, model: gm.GeppettoModel, lock: threading.RLock, whole: _WholeModel | None = None
    ) -> None:
        self._model = model
        self._lock = lock
        self._sync = gm.SyncState()
        self._whole = whole or _WholeModel()

    @property
    def model(self) -> gm.GeppettoModel:
        return self._model

    def delta(self) -> str:
        with self._lock:
            if not self._sync.started:
                return self._whole.first_delta(self._model, self._sync)
            return gm.to_json(self._model, self._sync)

    def resolve_types(self, paths: Sequence[str], hook: Callable[[Any, Any], Any]) -> str:
        with self._lock:
            for path in paths:
                old = self._model.find_type(_type_path(path))
                if not isinstance(old, gm.ImportType):
                    continue  # resolved meanwhile (another connection asked first)
                new = hook(self._model, old)
                if new is None or new is old:
                    continue  # the hook changed the model itself
                self._model.replace_type(old, new)
            return gm.to_json(self._model, self._sync)

    def resolve_value(self, path: str, hook: Callable[[Any, str], Any]) -> str:
        with self._lock:
            value = hook(self._model, plain_path(path))
            if value is not None:
                self._model.set_initial_value(plain_path(path), value)
            return gm.to_json(self._model, self._sync)

    def fetch_variable(
        self, variable_id: str, data_source_id: str, hook: Callable[[Any, str, str], Any]
    ) -> str:
        with self._lock:
            added = hook(self._model, variable_id, data_source_id)
            # A hook may return the variable instead of adding it.
            if isinstance(added, gm.Variable) and all(
                v is not added for v in self._model.variables
            ):
                self._model.add_variable(added)
            return gm.to_json(self._model, self._sync)

    def has_path(self, path: str) -> bool:
        with self._lock:
            try:
                self._model.pointer(plain_path(path))
            except (KeyError, ValueError, IndexError):
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
            return gm.experiment_state_json(
                self._model, experiment_id, project_id, recorded, set_parameters
            )


def _type_path(path: str) -> str:
    """The client sends `library.type`, sometimes still prefixed with `Model.`."""
    path = path.strip()
    return path[len("Model.") :] if path.startswith("Model.") else path


class ModelSource:
    """A project's model: built on first use, then shared (or built per connection)."""

    def __init__(self, build: Callable[[], Any], *, with_time: bool) -> None:
        self._build = build
        self._with_time = with_time
        self._lock = threading.RLock()
        self._shared: gm.GeppettoModel | None = None
        self._spare: Any = None  # a first pygeppetto model, not yet given to a connection
        self._whole = _WholeModel()

    def open(self) -> ConnectionModel:
        """A handle for one connection (a new SyncState; a new copy for pygeppetto)."""
        with self._lock:
            if self._shared is not None:
                return _SharedModel(self._shared, self._lock, self._whole)
            built = self._spare if self._spare is not None else self._build()
            self._spare = None
            if isinstance(built, gm.GeppettoModel):
                if self._with_time:
                    built.ensure_time()
                self._shared = built
                return _SharedModel(built, self._lock, self._whole)
        return _pygeppetto_model(built, with_time=self._with_time)


def _pygeppetto_model(model: Any, *, with_time: bool) -> ConnectionModel:
    from geppetto_dev.model import pygeppetto as gp

    if not gp.is_pygeppetto_model(model):
        raise GeppettoDevError(
            f"a project's model must be a geppetto_dev.model.GeppettoModel or a pygeppetto "
            f"GeppettoModel, not {type(model).__module__}.{type(model).__name__}",
            "return the model from the @project function",
        )
    from geppetto_dev.projects.pygeppetto_models import PygeppettoModel

    return PygeppettoModel(model, with_time=with_time)
