"""The Geppetto common library, as pygeppetto 0.9.1 ships it (GeppettoCommonLibrary.xmi).

Same ids, order and eClasses; the Java 0.3.8 server had the first twelve in the same order, so
``//@libraries.0/@types.2`` is the StateVariable type for both. The type objects are shared by
every model (they hold nothing and never change); each model gets its own library object
around them at ``libraries[0]``, as pygeppetto's ``createGeppettoModel`` places it.
"""

from __future__ import annotations

from geppetto_dev.model.nodes import BasicType, GeppettoLibrary, Type, VisualType

__all__ = [
    "COMMON_ID",
    "COMMON_TYPES",
    "CONNECTION",
    "DYNAMICS",
    "EDGE",
    "EXPRESSION",
    "HTML",
    "IMAGE",
    "JSON",
    "METADATA",
    "NODE",
    "PARAMETER",
    "PARTICLES",
    "POINT",
    "POINTER",
    "SIMPLE_ARRAY",
    "STATE_VARIABLE",
    "TEXT",
    "URL",
    "VISUAL",
    "common_library",
]

COMMON_ID = "common"
COMMON_NAME = "Geppetto Common Library"

PARAMETER = BasicType("Parameter", "Parameter", kind="ParameterType")
DYNAMICS = BasicType("Dynamics", "Dynamics", kind="DynamicsType")
STATE_VARIABLE = BasicType("StateVariable", "State Variable", kind="StateVariableType")
HTML = BasicType("HTML", "HTML", kind="HTMLType")
URL = BasicType("URL", "URL", kind="URLType")
TEXT = BasicType("Text", "Text", kind="TextType")
POINT = BasicType("Point", "Point", kind="PointType")
EXPRESSION = BasicType("Expression", "Expression", kind="ExpressionType")
VISUAL = VisualType("Visual", "Visual")
POINTER = BasicType("Pointer", "Pointer", kind="PointerType")
IMAGE = BasicType("Image", "Image", kind="ImageType")
CONNECTION = BasicType("connection", "Connection", kind="ConnectionType")
PARTICLES = VisualType("particles", "Particles")
JSON = BasicType("JSON", "JSON", kind="JSONType")
SIMPLE_ARRAY = BasicType("simplearray", "Simple Array", kind="SimpleArrayType")
METADATA = BasicType("metadata", "Metadata", kind="MetadataType")
EDGE = BasicType("edge", "Edge", kind="ConnectionType")
NODE = BasicType("node", "Node", kind="SimpleType")

COMMON_TYPES: tuple[Type, ...] = (
    PARAMETER,
    DYNAMICS,
    STATE_VARIABLE,
    HTML,
    URL,
    TEXT,
    POINT,
    EXPRESSION,
    VISUAL,
    POINTER,
    IMAGE,
    CONNECTION,
    PARTICLES,
    JSON,
    SIMPLE_ARRAY,
    METADATA,
    EDGE,
    NODE,
)


def common_library() -> GeppettoLibrary:
    """A new library object holding the shared common types, in their fixed order."""
    return GeppettoLibrary(COMMON_ID, COMMON_NAME, list(COMMON_TYPES))
