"""Model interpreters: model files (NeuroML, LEMS, SWC, OBJ, Collada, Java projects) read into
Geppetto models with the standard library."""

from geppetto_dev.interpreters.base import Interpreter, InterpreterError, ModelFile

__all__ = ["Interpreter", "InterpreterError", "ModelFile"]
