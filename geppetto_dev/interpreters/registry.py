"""The interpreters an application knows, by ``modelInterpreterId`` and by file name.

A registry is a plain value the application makes (``default_interpreters()``) and passes
where models are read; nothing registers into it by being imported. Interpreters can be added
by module path (:class:`LazyInterpreter`): the module is imported the first time a file needs
it, so a format whose code or dependencies are absent costs nothing until it is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from geppetto_dev.interpreters.base import Interpreter, InterpreterError, ModelFile
from geppetto_dev.interpreters.imports import Origin
from geppetto_dev.interpreters.java_project import JavaProject, read_java_project
from geppetto_dev.interpreters.lems import LemsInterpreter
from geppetto_dev.interpreters.mesh import ColladaInterpreter, ObjInterpreter
from geppetto_dev.interpreters.neuroml import NeuroMLInterpreter
from geppetto_dev.interpreters.remote import Fetcher
from geppetto_dev.interpreters.swc import SwcInterpreter
from geppetto_dev.interpreters.xmi import XmiModel, read_xmi
from geppetto_dev.interpreters.xmlsafe import root_name
from geppetto_dev.model import GeppettoLibrary, GeppettoModel, Type

__all__ = ["InterpreterRegistry", "LazyInterpreter", "default_interpreters"]

# Root elements of XML files whose name does not say their format (LEMS_x.xml, a .xml cell).
_XML_ROOTS = {
    "Lems": LemsInterpreter.id,
    "neuroml": NeuroMLInterpreter.id,
    "COLLADA": ColladaInterpreter.id,
}
_PROJECT = (".json",)
_XMI = (".xmi",)


class LazyInterpreter:
    """An interpreter named by module path (``"pkg.module"`` or ``"pkg.module:attribute"``),
    imported on first use. Without an attribute, the module's object (or class, made with no
    arguments) whose ``id`` is this id is used."""

    def __init__(self, id: str, extensions: Iterable[str], target: str) -> None:
        self.id = id
        self.extensions = tuple(extensions)
        self.target = target
        self._loaded: Interpreter | None = None

    def load(self) -> Interpreter:
        if self._loaded is None:
            module_name, _, attribute = self.target.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError as e:
                raise InterpreterError(
                    module_name,
                    f"the {self.id} interpreter is not available ({e})",
                    hint="install the package or extra that provides it",
                ) from None
            found: Any = getattr(module, attribute, None) if attribute else None
            if found is None:
                names = getattr(module, "__all__", dir(module))
                candidates = [getattr(module, n, None) for n in names]
                found = next((c for c in candidates if getattr(c, "id", None) == self.id), None)
            if found is None:
                raise InterpreterError(module_name, f"defines no interpreter with id {self.id}")
            self._loaded = found() if isinstance(found, type) else found
        return self._loaded

    def import_type(self, source: ModelFile, type_id: str, library: GeppettoLibrary) -> Type:
        return self.load().import_type(source, type_id, library)

    def read_model(self, source: ModelFile) -> GeppettoModel:
        return self.load().read_model(source)


class InterpreterRegistry:
    """Interpreters by id; `fetch` (None: never) is how http(s) model URLs are fetched."""

    def __init__(
        self, interpreters: Iterable[Interpreter] = (), *, fetch: Fetcher | None = None
    ) -> None:
        self._by_id: dict[str, Interpreter] = {}
        self.fetch = fetch
        for interpreter in interpreters:
            self.add(interpreter)

    def add(self, interpreter: Interpreter) -> Interpreter:
        """Add an interpreter; another one with the same id replaces it (a project's own
        interpreter over a built-in one)."""
        if not interpreter.id:
            raise InterpreterError(repr(interpreter), "an interpreter needs an id")
        self._by_id[interpreter.id] = interpreter
        return interpreter

    def include(self, other: InterpreterRegistry) -> None:
        """Add every interpreter of `other` (each replaces one of this registry with its id)."""
        for interpreter in other:
            self.add(interpreter)

    def __contains__(self, interpreter_id: object) -> bool:
        return isinstance(interpreter_id, str) and self._find(interpreter_id) is not None

    def __iter__(self) -> Iterator[Interpreter]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def _find(self, interpreter_id: str) -> Interpreter | None:
        # Java bean names sometimes carry "Service" (VFB: swcModelInterpreterService).
        return self._by_id.get(interpreter_id) or self._by_id.get(
            interpreter_id.removesuffix("Service")
        )

    def get(self, interpreter_id: str) -> Interpreter:
        found = self._find(interpreter_id)
        if found is None:
            raise InterpreterError(
                interpreter_id,
                f"no model interpreter with this id; known: {', '.join(self.ids) or 'none'}",
                hint="add one with InterpreterRegistry.add()",
            )
        return found

    # -- by file ---------------------------------------------------------------------------

    def endings(self) -> list[str]:
        known = {e for i in self._by_id.values() for e in i.extensions}
        return sorted(known | set(_PROJECT) | set(_XMI) | {".xml"})

    def for_file(self, name: str | Path) -> Interpreter:
        """The interpreter of a file name, by its longest known ending."""
        lower = str(name).lower()
        matches = [
            (len(ext), i)
            for i in self._by_id.values()
            for ext in i.extensions
            if lower.endswith(ext.lower())
        ]
        if not matches:
            raise InterpreterError(
                name,
                "no model interpreter reads files named like this; known endings: "
                + ", ".join(self.endings()),
            )
        return max(matches, key=lambda m: m[0])[1]

    def _xml_interpreter(self, source: ModelFile) -> Interpreter | None:
        """An XML file's interpreter by its root element, None for an XMI model."""
        root = root_name(source)
        if root is None:
            raise InterpreterError(source.path, "an .xml file that holds no XML element")
        if root == "GeppettoModel":
            return None
        if root not in _XML_ROOTS:
            raise InterpreterError(
                source.path,
                f"an XML file with root <{root}>: no interpreter reads it (known roots: "
                + ", ".join(f"<{r}>" for r in [*_XML_ROOTS, "gep:GeppettoModel"])
                + ")",
            )
        return self.get(_XML_ROOTS[root])

    def read_model(self, path: Path | str, root: Path | str | None = None) -> GeppettoModel:
        """Read any model file this registry knows: a project JSON (its model), an XMI, a file
        of one interpreter (by ending; ``.xml`` by its root element)."""
        source = ModelFile.open(path, root)
        lower = source.path.name.lower()
        if lower.endswith(_PROJECT):
            return self.read_project(source).model
        if lower.endswith(_XMI):
            return self.read_xmi(source).model
        if lower.endswith(".xml"):
            interpreter = self._xml_interpreter(source)
            if interpreter is None:
                return self.read_xmi(source).model
            return interpreter.read_model(source)
        return self.for_file(source.path.name).read_model(source)

    def read_project(
        self, path: ModelFile | Path | str, root: Path | str | None = None
    ) -> JavaProject:
        return read_java_project(
            path if isinstance(path, ModelFile) else ModelFile.open(path, root),
            interpreters=self,
            fetch=self.fetch,
        )

    def read_xmi(self, path: ModelFile | Path | str, root: Path | str | None = None) -> XmiModel:
        source = path if isinstance(path, ModelFile) else ModelFile.open(path, root)
        return read_xmi(Origin(source), interpreters=self, fetch=self.fetch)


def default_interpreters(*, fetch: Fetcher | None = None) -> InterpreterRegistry:
    """A new registry with every built-in interpreter."""
    return InterpreterRegistry(
        [
            NeuroMLInterpreter(),
            LemsInterpreter(),
            SwcInterpreter(),
            ObjInterpreter(),
            ColladaInterpreter(),
        ],
        fetch=fetch,
    )
