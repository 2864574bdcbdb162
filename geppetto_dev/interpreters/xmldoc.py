"""XML read safely into a small element tree that keeps each element's line.

Model files come from users and from the web, so the reader refuses any document type
declaration: that alone rules out entity expansion ("billion laughs"), external entities and
external DTDs, none of which a Collada, XMI or NeuroML file needs. Elements keep their line so
errors can say where (ElementTree keeps none).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from geppetto_dev.interpreters.base import InterpreterError

__all__ = ["Element", "parse_xml", "root_name"]

# Namespaced names come out of expat as "uri local"; `local` is the part after the space.
_SEP = " "


@dataclass(slots=True, eq=False)
class Element:
    """One element: its local name, its namespace, its attributes without a namespace, its
    line; attributes with one (``xsi:type``) are in `qualified`, by ``"uri local"``."""

    name: str
    namespace: str
    attrib: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)
    text: str = ""
    qualified: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def iter(self, name: str | None = None) -> Iterator[Element]:
        """This element and every one below it (document order), optionally by local name."""
        stack = [self]
        while stack:
            el = stack.pop()
            if name is None or el.name == name:
                yield el
            stack.extend(reversed(el.children))

    def find_all(self, name: str) -> list[Element]:
        return [c for c in self.children if c.name == name]


class _Refused(Exception):
    """Raised inside expat's callbacks to stop the parse."""


def _split(qname: str) -> tuple[str, str]:
    uri, _, local = qname.rpartition(_SEP)
    return uri, local


def _parser(path: Path | str) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=_SEP)

    def refuse_doctype(*_: object) -> None:
        raise _Refused("has a DOCTYPE; model files are read without document type declarations")

    def refuse_entity(*_: object) -> None:
        raise _Refused("declares entities; model files are read without them")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def parse_xml(data: bytes, path: Path | str) -> Element:
    """The document's root element; InterpreterError (with the line) for malformed XML or a
    DOCTYPE."""
    parser = _parser(path)
    stack: list[Element] = []
    roots: list[Element] = []
    texts: list[list[str]] = []

    def start(qname: str, attrs: dict[str, str]) -> None:
        uri, local = _split(qname)
        plain: dict[str, str] = {}
        qualified: dict[str, str] = {}
        for k, v in attrs.items():
            a_uri, a_local = _split(k)
            if a_uri:
                qualified[k] = v
            else:
                plain[a_local] = v
        el = Element(local, uri, plain, parser.CurrentLineNumber, qualified=qualified)
        (stack[-1].children if stack else roots).append(el)
        stack.append(el)
        texts.append([])

    def end(_: str) -> None:
        el = stack.pop()
        el.text = "".join(texts.pop())

    def chars(data: str) -> None:
        if texts:
            texts[-1].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _Refused as e:
        raise InterpreterError(path, str(e), line=parser.CurrentLineNumber) from None
    except expat.ExpatError as e:
        raise InterpreterError(
            path, f"not well-formed XML: {expat.ErrorString(e.code)}", line=e.lineno
        ) from None
    return roots[0]


class _Found(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def root_name(data: bytes, path: Path | str) -> str:
    """The local name of the root element, read no further than its start tag."""
    parser = _parser(path)

    def start(qname: str, _: dict[str, str]) -> None:
        raise _Found(_split(qname)[1])

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except _Found as found:
        return found.name
    except _Refused as e:
        raise InterpreterError(path, str(e), line=parser.CurrentLineNumber) from None
    except expat.ExpatError as e:
        raise InterpreterError(
            path, f"not well-formed XML: {expat.ErrorString(e.code)}", line=e.lineno
        ) from None
    raise InterpreterError(path, "holds no XML element")
