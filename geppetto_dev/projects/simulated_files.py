"""Which NeuroML or LEMS file a project file's experiments are simulated from.

A model file is its own (`cell.nml`, `LEMS_HH.xml`). A Java Geppetto project names an XMI
model whose ImportTypes name the NeuroML or LEMS files their interpreters read
(`<types xsi:type="gep_1:ImportType" url="LEMS_HH.xml" modelInterpreterId=
"lemsModelInterpreter"/>`), as the Java server's simulators ran them: the first such local
file is the one simulated.
"""

from __future__ import annotations

from geppetto_dev.interpreters import InterpreterError, ModelFile, Origin, open_href
from geppetto_dev.interpreters.lems import LEMS_INTERPRETER_ID
from geppetto_dev.interpreters.neuroml.mapping import INTERPRETER_ID as NEUROML_INTERPRETER_ID
from geppetto_dev.interpreters.xmlsafe import read_xml
from geppetto_dev.projects.project import ModelFileRef

__all__ = ["SIMULATED_SUFFIXES", "imported_model_file", "simulated_file"]

SIMULATED_SUFFIXES = (".nml", ".xml")
_SIMULATED_INTERPRETERS = {LEMS_INTERPRETER_ID, NEUROML_INTERPRETER_ID}


def simulated_file(source: ModelFile, model_url: str | None = None) -> ModelFileRef | None:
    """The file simulators run for a project read from `source`: the file itself when it is a
    NeuroML or LEMS file, else (a project JSON naming `model_url`) what its XMI imports."""
    suffix = source.path.suffix.lower()
    if suffix in SIMULATED_SUFFIXES:
        return ModelFileRef(str(source.path), str(source.root))
    if suffix == ".json" and model_url:
        return imported_model_file(source, model_url)
    return None


def imported_model_file(project: ModelFile, model_url: str) -> ModelFileRef | None:
    """The first local NeuroML or LEMS file the project's XMI model imports (None when the
    model is remote, unreadable or imports none: such a project runs with a run hook)."""
    try:
        xmi = open_href(Origin(project), model_url).file
        root, _ = read_xml(xmi)
    except InterpreterError:
        return None
    for element in root.iter():
        if element.get("modelInterpreterId") not in _SIMULATED_INTERPRETERS:
            continue
        url = element.get("url") or ""
        if not url or "://" in url:
            continue
        try:
            found = open_href(Origin(xmi), url).file
        except InterpreterError:
            continue
        return ModelFileRef(str(found.path), str(found.root))
    return None
