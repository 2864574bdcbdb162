"""Geppetto models in Python: build them with typed objects, send them as EMF-JSON.

Stdlib only. A model is libraries of types plus top-level variables; :func:`to_json` writes
what the Geppetto clients read, and with a per-connection :class:`SyncState` it writes deltas,
so one model object can serve many connections. pygeppetto models are handled by
``geppetto_dev.model.pygeppetto`` (extra ``geppetto-dev[pygeppetto]``).
"""

from geppetto_dev.model import common
from geppetto_dev.model.experiment_state import (
    experiment_state_dict,
    experiment_state_json,
    pointer_to_dict,
)
from geppetto_dev.model.factory import (
    cylinder,
    html,
    parameter,
    particles,
    sphere,
    state_variable,
    text,
    time_series,
    url,
)
from geppetto_dev.model.geppetto_model import GeppettoModel
from geppetto_dev.model.nodes import (
    ArrayType,
    BasicType,
    CompositeType,
    CompositeVisualType,
    GeppettoLibrary,
    ImportType,
    Type,
    Variable,
    VisualType,
)
from geppetto_dev.model.paths import Pointer, PointerElement
from geppetto_dev.model.serialize import SyncState, to_dict, to_json, value_to_dict
from geppetto_dev.model.values import (
    HTML,
    OBJ,
    URL,
    ArrayElement,
    ArrayValue,
    Collada,
    Cylinder,
    ImportValue,
    Particles,
    PhysicalQuantity,
    Point,
    Sphere,
    Text,
    TimeSeries,
    Value,
)

__all__ = [
    "HTML",
    "OBJ",
    "URL",
    "ArrayElement",
    "ArrayType",
    "ArrayValue",
    "BasicType",
    "Collada",
    "CompositeType",
    "CompositeVisualType",
    "Cylinder",
    "GeppettoLibrary",
    "GeppettoModel",
    "ImportType",
    "ImportValue",
    "Particles",
    "PhysicalQuantity",
    "Point",
    "Pointer",
    "PointerElement",
    "Sphere",
    "SyncState",
    "Text",
    "TimeSeries",
    "Type",
    "Value",
    "Variable",
    "VisualType",
    "common",
    "cylinder",
    "experiment_state_dict",
    "experiment_state_json",
    "html",
    "parameter",
    "particles",
    "pointer_to_dict",
    "sphere",
    "state_variable",
    "text",
    "time_series",
    "to_dict",
    "to_json",
    "url",
    "value_to_dict",
]
