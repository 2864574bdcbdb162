"""XML read into a small element tree that keeps each element's line, under the rules of
:mod:`~geppetto_dev.interpreters.xmlsafe`: no entity declarations (no "billion laughs", no
external entities), nothing a DOCTYPE names is read, sizes and depths bounded.

xmlsafe builds ElementTree trees, the fastest for NeuroML and LEMS; XMI models and Collada
meshes are read here instead because their errors name elements found after parsing (an
unknown type reference, a value that is not a number) and ElementTree keeps no lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from geppetto_dev.interpreters.base import InterpreterError
from geppetto_dev.interpreters.xmlsafe import MAX_XML_BYTES, MAX_XML_DEPTH

__all__ = ["Element", "parse_xml"]

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


def parse_xml(
    data: bytes,
    path: Path | str,
    *,
    max_bytes: int = MAX_XML_BYTES,
    max_depth: int = MAX_XML_DEPTH,
) -> Element:
    """The document's root element; InterpreterError (with the line) for malformed XML, an
    entity declaration, a file too large or too deep."""
    if len(data) > max_bytes:
        raise InterpreterError(
            path, f"too large for an XML model ({len(data)} bytes; at most {max_bytes})"
        )
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element] = []
    roots: list[Element] = []
    texts: list[list[str]] = []

    def entity_decl(name: str, is_parameter: int, *_: object) -> None:
        kind = "parameter entity" if is_parameter else "entity"
        raise _Refused(
            f"declares the {kind} {name!r}; documents declaring entities are not read "
            "(they can expand without bound or pull in other files)"
        )

    def start(qname: str, attrs: dict[str, str]) -> None:
        if len(stack) >= max_depth:
            raise _Refused(f"nested deeper than {max_depth} elements")
        uri, local = _split(qname)
        plain: dict[str, str] = {}
        qualified: dict[str, str] = {}
        for k, v in attrs.items():
            if _SEP in k:
                qualified[k] = v
            else:
                plain[k] = v
        el = Element(local, uri, plain, parser.CurrentLineNumber, qualified=qualified)
        (stack[-1].children if stack else roots).append(el)
        stack.append(el)
        texts.append([])

    def end(_: str) -> None:
        stack.pop().text = "".join(texts.pop())

    def chars(data: str) -> None:
        if texts:
            texts[-1].append(data)

    parser.EntityDeclHandler = entity_decl
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
