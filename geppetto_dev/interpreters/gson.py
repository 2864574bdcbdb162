"""JSON as the Java Geppetto server read it: Gson's ``fromJson``, which parses leniently.

Real project files rely on it (``{ id: 1, name: 'HH', ... }``). What lenient mode accepts on
top of RFC 8259, as Gson's JsonReader documents and implements it:

- names unquoted or in single quotes; strings in single quotes, or unquoted (a run of
  characters other than whitespace and ``{}[]:,;=#/\\``);
- ``//`` and ``#`` comments to the end of the line, ``/* ... */`` comments;
- ``=`` or ``=>`` between name and value; ``;`` instead of ``,``;
- an array separator with no value before it stands for null (``[1,,2]``, ``[1,]`` -> a
  trailing null); an object may not end with a separator (``{a: 1,}`` is an error);
- ``true``/``false``/``null`` in any case; escapes ``\\'`` and an escaped newline; raw control
  characters in strings; the ``)]}'`` prefix before the value.

An unquoted value that is not a JSON number (``NaN``, ``01``, ``0x10``) stays a string, as
Gson leaves it for the field's type to convert. Errors give the line, column and JSON path.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from geppetto_dev.interpreters.base import InterpreterError

__all__ = ["LenientJsonError", "loads"]

MAX_DEPTH = 200
_WS = " \t\r\n"
_NOT_LITERAL = frozenset("{}[]:,; \t\f\r\n/\\#=")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\n": "\n"}
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


class LenientJsonError(InterpreterError):
    """Malformed JSON: where (line, column, JSON path like ``$.experiments[0].id``) and what."""

    def __init__(
        self, source: Path | str, reason: str, *, line: int, column: int, json_path: str
    ) -> None:
        super().__init__(source, f"column {column}: {reason} (at {json_path})", line=line)
        self.column = column
        self.json_path = json_path


def loads(text: str, *, source: Path | str = "<json>") -> Any:
    """The one value of `text` read as Gson's lenient reader reads it."""
    try:
        # Strict JSON the fast way; NaN and Infinity stay text, as Gson reads them unquoted.
        return json.loads(text, parse_constant=str)
    except json.JSONDecodeError:
        pass  # not strict JSON: read it the lenient way, which also places any error
    except RecursionError:
        pass
    return _Reader(text, source).document()


class _Reader:
    __slots__ = ("path", "pos", "source", "text")

    def __init__(self, text: str, source: Path | str) -> None:
        self.text = text
        self.source = source
        self.pos = 0
        self.path: list[str | int] = []

    # -- errors and whitespace -----------------------------------------------------------------

    def error(self, reason: str, at: int | None = None) -> LenientJsonError:
        pos = self.pos if at is None else at
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)
        return LenientJsonError(self.source, reason, line=line, column=column, json_path=where)

    def peek(self) -> str:
        """The next character that is not whitespace or comment ("" at the end)."""
        text, n = self.text, len(self.text)
        while self.pos < n:
            c = text[self.pos]
            if c in _WS:
                self.pos += 1
            elif c == "#" or text.startswith("//", self.pos):
                end = min(
                    (i for i in (text.find("\n", self.pos), text.find("\r", self.pos)) if i >= 0),
                    default=n,
                )
                self.pos = end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated /* comment")
                self.pos = end + 2
            else:
                return c
        return ""

    # -- values --------------------------------------------------------------------------------

    def document(self) -> Any:
        self.peek()
        if self.text.startswith(")]}'\n", self.pos):
            self.pos += 5
        if not self.peek():
            raise self.error("no JSON value (the text is empty)")
        value = self.value()
        if self.peek():
            raise self.error("more than one value at the top level")
        return value

    def value(self) -> Any:
        c = self.peek()
        if not c:
            raise self.error("the text ends where a value was expected")
        if c == "{":
            return self.object()
        if c == "[":
            return self.array()
        if c in "\"'":
            return self.string(c)
        return self.literal()

    def literal(self) -> Any:
        token = self.unquoted()
        if not token:
            raise self.error(f"expected a value, found {self.text[self.pos]!r}")
        keyword = token.lower()
        if keyword in _KEYWORDS:
            return _KEYWORDS[keyword]
        number = _NUMBER.fullmatch(token)
        if number is None:
            return token
        if number.group(1) or number.group(2) or token == "-0":
            return float(token)
        return int(token)

    def unquoted(self) -> str:
        start = end = self.pos
        text, n = self.text, len(self.text)
        while end < n and text[end] not in _NOT_LITERAL:
            end += 1
        self.pos = end
        return text[start:end]

    def string(self, quote: str) -> str:
        start = self.pos
        self.pos += 1
        text, out = self.text, []
        while True:
            end = text.find(quote, self.pos)
            slash = text.find("\\", self.pos, end if end >= 0 else len(text))
            if end < 0 and slash < 0:
                raise self.error("unterminated string", at=start)
            if slash < 0:
                out.append(text[self.pos : end])
                self.pos = end + 1
                return "".join(out)
            out.append(text[self.pos : slash])
            self.pos = slash + 1
            out.append(self.escape())

    def escape(self) -> str:
        text = self.text
        if self.pos >= len(text):
            raise self.error("unterminated escape sequence")
        c = text[self.pos]
        self.pos += 1
        if c == "u":
            digits = text[self.pos : self.pos + 4]
            if len(digits) < 4 or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise self.error(f"malformed unicode escape \\u{digits}")
            self.pos += 4
            return chr(int(digits, 16))
        if c in _ESCAPES:
            return _ESCAPES[c]
        if c in "'\"\\/":
            return c
        raise self.error(f"invalid escape sequence \\{c}", at=self.pos - 2)

    def nested(self) -> None:
        if len(self.path) >= MAX_DEPTH:
            raise self.error(f"nested deeper than {MAX_DEPTH} levels")

    def array(self) -> list[Any]:
        self.nested()
        self.pos += 1
        out: list[Any] = []
        self.path.append(0)
        if self.peek() == "]":
            self.pos += 1
            self.path.pop()
            return out
        while True:
            self.path[-1] = len(out)
            # A separator (or the end) where a value should be: Gson reads a null there.
            out.append(None if self.peek() in (",", ";", "]") else self.value())
            c = self.peek()
            if c == "]":
                self.pos += 1
                self.path.pop()
                return out
            if c not in (",", ";"):
                raise self.error("expected ',' or ']' after an array element")
            self.pos += 1

    def object(self) -> dict[str, Any]:
        self.nested()
        self.pos += 1
        out: dict[str, Any] = {}
        if self.peek() == "}":
            self.pos += 1
            return out
        self.path.append("")  # the current name, kept after its value as Gson's path does
        while True:
            c = self.peek()
            if c and c in "\"'":
                name = self.string(c)
            else:
                name = self.unquoted()
                if not name:
                    found = repr(c) if c else "the end of the text"
                    self.path.pop()
                    raise self.error(f"expected a name, found {found}")
            self.path[-1] = name
            c = self.peek()
            if c == ":":
                self.pos += 1
            elif c == "=":
                self.pos += 2 if self.text.startswith("=>", self.pos) else 1
            else:
                raise self.error(f"expected ':' after the name {name!r}")
            out[name] = self.value()
            c = self.peek()
            if c == "}":
                self.pos += 1
                self.path.pop()
                return out
            if c not in (",", ";"):
                raise self.error("expected ',' or '}' after a name/value pair")
            self.pos += 1
