"""The NeuroML model interpreter (`neuroMLModelInterpreter`): a file in, Geppetto types out.

`read_model` shows a file on its own: one library, one top-level variable, the network (or the
single cell when there is no network). `import_type` is what a Geppetto project's ImportType
asks for: the type of any component by id, or a projection's connections when the client
resolves one. The type returned takes the ImportType's place (`GeppettoModel.replace_type`);
every other type it needs is appended to `library`.
"""

from __future__ import annotations

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.neuroml.document import NeuroMLDocument
from geppetto_dev.interpreters.neuroml.mapping import INTERPRETER_ID, TypeBuilder, UnknownComponent
from geppetto_dev.interpreters.neuroml.parse import read_document
from geppetto_dev.interpreters.neuroml.visual import parse_id
from geppetto_dev.model import GeppettoLibrary, GeppettoModel, Type, Variable

__all__ = [
    "LIBRARY_ID",
    "NeuroMLInterpreter",
    "build_model",
    "import_from",
    "main_component",
    "neuroml_interpreter",
]

LIBRARY_ID = "neuroml"


def _source_url(source: ModelFile) -> str:
    return source.path.relative_to(source.root).as_posix()


def main_component(doc: NeuroMLDocument, source: ModelFile) -> str:
    """What a file stands for, by Java's rule: its network, else its one cell.

    Components of the file itself come before those of its includes (a network file that
    includes another network file shows its own network).
    """
    main = str(source.path)
    cells = [*doc.cells, *doc.abstract_cells]
    for kind, ids in (("networks", list(doc.networks)), ("cells", cells)):
        if not ids:
            continue
        own = [i for i in ids if doc.defined_in.get(i) == main]
        for candidates in (own, ids):
            if len(candidates) == 1:
                return candidates[0]
            if len(candidates) > 1:
                raise InterpreterError(
                    source.path,
                    f"defines {len(candidates)} {kind} ({', '.join(candidates)}) and no one "
                    "to show on its own",
                    hint="name one in a Geppetto project (an ImportType with its id), or keep "
                    "one network per file",
                )
    raise InterpreterError(
        source.path,
        "defines no network and no cell to show",
        hint="a NeuroML file shows its <network>, or its single <cell>",
    )


def _unknown(doc: NeuroMLDocument, source: ModelFile, err: UnknownComponent) -> InterpreterError:
    reason = err.args[0]
    if " " in reason:  # a population naming an undefined component
        return InterpreterError(source.path, reason)
    known = [*doc.networks, *doc.cells, *doc.abstract_cells]
    return InterpreterError(
        source.path,
        f"defines no component {reason!r}",
        hint=f"its networks and cells: {', '.join(known) or 'none'}",
    )


def build_model(
    doc: NeuroMLDocument, source: ModelFile, component_id: str | None = None
) -> GeppettoModel:
    """A model of one library holding every type, and one top-level variable."""
    component_id = component_id or main_component(doc, source)
    model = GeppettoModel(parse_id(doc.id or source.path.stem), doc.id)
    library = model.add_library(LIBRARY_ID, "NeuroML")
    builder = TypeBuilder(doc, library, _source_url(source))
    try:
        main = builder.component(component_id)
    except UnknownComponent as err:
        raise _unknown(doc, source, err) from None
    for type_ in builder.made:
        library.add(type_)
    model.add_variable(Variable(main.id, main, main.name))
    return model


def import_from(
    doc: NeuroMLDocument,
    source: ModelFile,
    type_id: str,
    library: GeppettoLibrary,
    component_id: str | None = None,
) -> Type:
    """The type of `component_id` (default `type_id`) with the id `type_id`; the types it
    uses are appended to `library`, the returned one is not (it replaces the ImportType)."""
    builder = TypeBuilder(doc, library, _source_url(source))
    try:
        main = builder.component(component_id or type_id)
    except UnknownComponent as err:
        raise _unknown(doc, source, err) from None
    for type_ in builder.made:
        if type_ is not main:
            library.add(type_)
    main.id = type_id
    return main


class NeuroMLInterpreter:
    """NeuroML 2 files (`.nml`), read with the standard library."""

    id = INTERPRETER_ID
    extensions: tuple[str, ...] = (".nml", ".nml.xml")

    def import_type(self, source: ModelFile, type_id: str, library: GeppettoLibrary) -> Type:
        return import_from(read_document(source), source, type_id, library)

    def read_model(self, source: ModelFile) -> GeppettoModel:
        return build_model(read_document(source), source)


neuroml_interpreter = NeuroMLInterpreter()
