"""`read_model(path)`: a model file read from a `@project` function, to return or add to.

    @project(id=1, name="cell")
    def cell() -> gm.GeppettoModel:
        model = read_model("models/cell.nml")      # relative to the project folder
        model.add_variable(...)
        return model

While an application builds a project's model it makes its `ModelReader` current (a context
variable, like Flask's `current_app`): the path is relative to the project folder and read by
the application's interpreters, those a project registered included. Called anywhere else (a
test calling the function itself), the built-in interpreters read it, relative to the current
folder.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geppetto_dev.interpreters import InterpreterRegistry, default_interpreters
from geppetto_dev.model import GeppettoModel

__all__ = ["ModelReader", "current_reader", "read_model"]


@dataclass(frozen=True)
class ModelReader:
    """How an application reads model files: with these interpreters, from this folder."""

    interpreters: InterpreterRegistry
    root: Path

    def read_model(self, path: Path | str) -> GeppettoModel:
        """A relative path is read from (and its includes stay in) the project folder; an
        absolute one from its own folder."""
        target = Path(path)
        if target.is_absolute():
            return self.interpreters.read_model(target)
        return self.interpreters.read_model(self.root / target, self.root)

    def bind(self, build: Callable[[], Any]) -> Callable[[], Any]:
        """`build`, run with this reader current (whichever thread runs it)."""

        def bound() -> Any:
            token = _current.set(self)
            try:
                return build()
            finally:
                _current.reset(token)

        return bound


_current: contextvars.ContextVar[ModelReader | None] = contextvars.ContextVar(
    "geppetto_dev_model_reader", default=None
)


def current_reader() -> ModelReader:
    """The reader of the application building a model, else one of the built-in interpreters
    on the current folder."""
    reader = _current.get()
    return reader if reader is not None else ModelReader(default_interpreters(), Path.cwd())


def read_model(path: Path | str) -> GeppettoModel:
    """Read a model file (any format the application's interpreters know) into a model,
    relative to the project folder (or absolute); raises InterpreterError naming the file and
    line."""
    return current_reader().read_model(path)
