"""pygeppetto's ``GeppettoModelFactory`` names, for code written against NetPyNE-UI-style
factories: ``from geppetto_dev.model import compat as f; f.create_sphere(...)``. The short names
of ``geppetto_dev.model`` are the primary ones."""

from __future__ import annotations

from collections.abc import Iterable

from geppetto_dev.model import common
from geppetto_dev.model.factory import (
    cylinder,
    html,
    particles,
    sphere,
    state_variable,
    text,
    time_series,
    url,
)
from geppetto_dev.model.nodes import Variable
from geppetto_dev.model.values import PhysicalQuantity

__all__ = [
    "create_cylinder",
    "create_html_variable",
    "create_parameter_variable",
    "create_particles_variable",
    "create_sphere",
    "create_state_variable",
    "create_text_variable",
    "create_time_series",
    "create_time_series_variable",
    "create_url_variable",
]


def create_parameter_variable(
    id: str, initial_value: PhysicalQuantity | float | None = None
) -> Variable:
    """pygeppetto's signature: the value is a PhysicalQuantity (or a bare number)."""
    if not isinstance(initial_value, PhysicalQuantity):
        initial_value = PhysicalQuantity(None if initial_value is None else float(initial_value))
    return Variable(id, common.PARAMETER, None, initial_value)


def create_time_series_variable(
    id: str, values: Iterable[float], unit: str | None = None
) -> Variable:
    return state_variable(id, time_series(values, unit))


create_sphere = sphere
create_cylinder = cylinder
create_particles_variable = particles
create_time_series = time_series
create_state_variable = state_variable
create_text_variable = text
create_html_variable = html
create_url_variable = url
