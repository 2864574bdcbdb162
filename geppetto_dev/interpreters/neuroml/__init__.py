"""NeuroML 2: the document a file holds, its quantities, and its Geppetto model."""

from geppetto_dev.interpreters.neuroml import document, units
from geppetto_dev.interpreters.neuroml.document import NeuroMLDocument
from geppetto_dev.interpreters.neuroml.units import QuantityError, si

__all__ = ["NeuroMLDocument", "QuantityError", "document", "si", "units"]
