"""Model interpreters: model files (NeuroML, LEMS, SWC, OBJ, Collada, Java projects) read into
Geppetto models with the standard library.

``default_interpreters().read_model(path)`` reads any of them; a Java project
(``read_project``) also gives its experiments. See docs/how-to/model-formats.md.
"""

from geppetto_dev.interpreters.base import Interpreter, InterpreterError, ModelFile
from geppetto_dev.interpreters.gson import LenientJsonError
from geppetto_dev.interpreters.imports import Origin, open_href, resolve_import_type
from geppetto_dev.interpreters.java_project import (
    AspectConfiguration,
    JavaExperiment,
    JavaProject,
    SimulatorConfiguration,
    parse_java_project,
    read_java_project,
)
from geppetto_dev.interpreters.mesh import ColladaInterpreter, ObjInterpreter
from geppetto_dev.interpreters.registry import (
    InterpreterRegistry,
    LazyInterpreter,
    default_interpreters,
)
from geppetto_dev.interpreters.remote import Fetcher, RemoteFetcher
from geppetto_dev.interpreters.swc import SwcInterpreter, SwcPoint, parse_swc, swc_visual_type
from geppetto_dev.interpreters.xmi import XmiModel, XmiRecord, read_xmi

__all__ = [
    "AspectConfiguration",
    "ColladaInterpreter",
    "Fetcher",
    "Interpreter",
    "InterpreterError",
    "InterpreterRegistry",
    "JavaExperiment",
    "JavaProject",
    "LazyInterpreter",
    "LenientJsonError",
    "ModelFile",
    "ObjInterpreter",
    "Origin",
    "RemoteFetcher",
    "SimulatorConfiguration",
    "SwcInterpreter",
    "SwcPoint",
    "XmiModel",
    "XmiRecord",
    "default_interpreters",
    "open_href",
    "parse_java_project",
    "parse_swc",
    "read_java_project",
    "read_xmi",
    "resolve_import_type",
    "swc_visual_type",
]
