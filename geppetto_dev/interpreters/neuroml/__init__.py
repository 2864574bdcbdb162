"""NeuroML 2: the document a file holds, its quantities, and its Geppetto model."""

from geppetto_dev.interpreters.neuroml import document, units
from geppetto_dev.interpreters.neuroml.document import NeuroMLDocument
from geppetto_dev.interpreters.neuroml.interpreter import (
    NeuroMLInterpreter,
    build_model,
    import_from,
    main_component,
    neuroml_interpreter,
)
from geppetto_dev.interpreters.neuroml.mapping import INTERPRETER_ID
from geppetto_dev.interpreters.neuroml.parse import read_document, read_tree
from geppetto_dev.interpreters.neuroml.units import QuantityError, si
from geppetto_dev.interpreters.neuroml.visual import parse_id

__all__ = [
    "INTERPRETER_ID",
    "NeuroMLDocument",
    "NeuroMLInterpreter",
    "QuantityError",
    "build_model",
    "document",
    "import_from",
    "main_component",
    "neuroml_interpreter",
    "parse_id",
    "read_document",
    "read_tree",
    "si",
    "units",
]
