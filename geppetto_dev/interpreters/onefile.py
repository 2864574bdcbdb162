"""The model of a file that holds one thing (a morphology, a mesh): one library, one type, one
top-level variable, both named after the file, as `geppetto-dev view FILE` shows it."""

from __future__ import annotations

from geppetto_dev.interpreters.base import Interpreter, ModelFile
from geppetto_dev.interpreters.naming import id_from_filename
from geppetto_dev.model import GeppettoModel, Variable

__all__ = ["one_type_model"]


def one_type_model(
    interpreter: Interpreter, source: ModelFile, library_id: str, library_name: str
) -> GeppettoModel:
    type_id = id_from_filename(source.path)
    model = GeppettoModel(type_id, source.path.name)
    library = model.add_library(library_id, library_name)
    type_ = interpreter.import_type(source, type_id, library)
    model.add_variable(Variable(type_id, type_, source.path.name))
    return model
