"""XML model files read with the standard library, and nothing a file declares followed.

Model files come from users and projects found on the web: a DOCTYPE may declare entities that
expand a few hundred bytes into gigabytes ("billion laughs") or name a file or URL to inline
(external entities). Documents declaring entities are refused before they are parsed: a short
expat pass reads only the prolog (it stops at the root element), then the C ElementTree parser
builds the tree at full speed. Sizes and nesting depths are bounded, and every error is an
`InterpreterError` naming the file and, where expat knows it, the line.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from geppetto_dev.interpreters.base import InterpreterError, ModelFile

__all__ = [
    "MAX_XML_BYTES",
    "MAX_XML_DEPTH",
    "line_of",
    "local_name",
    "parse_xml",
    "read_xml",
    "root_name",
]

# Larger XML files are refused: ElementTree holds ~10 bytes of objects per byte of markup.
MAX_XML_BYTES = 128 * 1024 * 1024
# Deeper documents are refused (real NeuroML/LEMS/XMI files nest fewer than 12 levels).
MAX_XML_DEPTH = 256
_PROLOG_CHUNK = 64 * 1024


class _RootReached(Exception):
    """The prolog scan reached the root element: no declaration can follow."""


class _Refused(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _check_prolog(data: bytes) -> None:
    """Refuse entity declarations (internal or external) in a DOCTYPE; stop at the root."""
    parser = expat.ParserCreate()

    def entity_decl(name: str, is_parameter: int, *_: object) -> None:
        kind = "parameter entity" if is_parameter else "entity"
        raise _Refused(
            f"declares the {kind} {name!r}; documents declaring entities are not read "
            "(they can expand without bound or pull in other files)",
            parser.CurrentLineNumber,
        )

    def start(*_: object) -> None:
        raise _RootReached

    parser.EntityDeclHandler = entity_decl
    parser.StartElementHandler = start
    # Never read an external DTD or parameter entity, whatever the document says.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    for offset in range(0, len(data), _PROLOG_CHUNK):
        try:
            parser.Parse(data[offset : offset + _PROLOG_CHUNK], False)
        except _RootReached:
            return
    try:
        parser.Parse(b"", True)
    except _RootReached:
        return


_EXPAT_WHERE = re.compile(r":\s*line \d+, column \d+$")


def parse_xml(
    data: bytes,
    path: Path | str,
    *,
    max_bytes: int = MAX_XML_BYTES,
    max_depth: int = MAX_XML_DEPTH,
) -> ET.Element:
    """The root element of `data`, or an InterpreterError naming `path` and the line."""
    if len(data) > max_bytes:
        raise InterpreterError(
            path, f"too large for an XML model ({len(data)} bytes; at most {max_bytes})"
        )
    try:
        _check_prolog(data)
    except _Refused as refused:
        raise InterpreterError(path, str(refused), line=refused.line) from None
    except expat.ExpatError as e:
        raise InterpreterError(
            path, f"not well-formed XML: {expat.ErrorString(e.code)}", line=e.lineno
        ) from None
    parser = ET.XMLParser()
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as e:
        line, _ = e.position
        message = _EXPAT_WHERE.sub("", str(e))
        raise InterpreterError(path, f"not well-formed XML: {message}", line=line) from None
    _check_depth(root, path, max_depth)
    return root


def _check_depth(root: ET.Element, path: Path | str, max_depth: int) -> None:
    """Walk level by level (no recursion): one list per level, cheap even for wide trees."""
    level = [root]
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise InterpreterError(path, f"nested deeper than {max_depth} elements")
        level = [child for element in level for child in element]


def read_xml(source: ModelFile, **limits: int) -> tuple[ET.Element, bytes]:
    """Read and parse a model file; the bytes come back too, for `line_of` in later errors."""
    data = source.read_bytes()
    return parse_xml(data, source.path, **limits), data


def local_name(tag: str) -> str:
    """`{http://www.neuroml.org/schema/neuroml2}cell` -> `cell`."""
    return tag.rpartition("}")[2]


def line_of(data: bytes, tag: str, attributes: dict[str, str] | None = None) -> int | None:
    """The line of the first element named `tag` (any namespace) with these attribute values.

    ElementTree keeps no line numbers, so errors found after parsing (a segment without a
    distal point, an unknown id) find their line here, by a second expat pass on this rare path.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    wanted = attributes or {}
    found: list[int] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if local_name(name) == tag and all(attrs.get(k) == v for k, v in wanted.items()):
            found.append(parser.CurrentLineNumber)
            raise _RootReached

    parser.StartElementHandler = start
    with contextlib.suppress(_RootReached, expat.ExpatError):
        parser.Parse(data, True)
    return found[0] if found else None


def root_name(source: ModelFile, head: int = _PROLOG_CHUNK) -> str | None:
    """The local name of a file's root element, from its first bytes (None if not XML):
    enough to tell a LEMS file from another `.xml` without reading it all."""
    with source.path.open("rb") as f:
        data = f.read(head)
    parser = expat.ParserCreate(namespace_separator="}")
    found: list[str] = []

    def start(name: str, _: dict[str, str]) -> None:
        found.append(local_name(name))
        raise _RootReached

    parser.StartElementHandler = start
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    with contextlib.suppress(_RootReached, expat.ExpatError):
        parser.Parse(data, False)
    return found[0] if found else None
