"""NeuroML 2 files (and the NeuroML inside LEMS files) read into a `NeuroMLDocument`.

Includes (`<include href>`, LEMS `<Include file>`) are followed relative to the including file,
through `ModelFile.relative`, so never outside the folder the model was opened under and never
from the network. The NeuroML 2 core type files (Cells.xml, NeuroML2CoreTypes.xml, ...) are
recognised by name and skipped, as the Java reader did: they define LEMS component types, not
model content, and are often named by an https URL. Each file is read once, which breaks
include cycles and the diamonds LEMS examples make (a file included directly and by another).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NoReturn

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.neuroml.cells import (
    Elements,
    local,
    read_biophysics,
    read_cell,
    read_ion_channel,
    read_morphology,
)
from geppetto_dev.interpreters.neuroml.document import (
    Connection,
    ExplicitInput,
    Input,
    InputList,
    Instance,
    Network,
    NeuroMLDocument,
    Population,
    Projection,
)
from geppetto_dev.interpreters.xmlsafe import line_of, read_xml

__all__ = ["CORE_TYPE_FILES", "MAX_FILES", "is_core_type_file", "read_document", "read_tree"]

# The NeuroML 2 core type files (NeuroML2CoreTypes/ in the NeuroML2 repository and jNeuroML).
CORE_TYPE_FILES = frozenset(
    {
        "NeuroML2CoreTypes.xml",
        "NeuroMLCoreDimensions.xml",
        "NeuroMLCoreCompTypes.xml",
        "Cells.xml",
        "Channels.xml",
        "Synapses.xml",
        "Inputs.xml",
        "Networks.xml",
        "PyNN.xml",
        "Simulation.xml",
    }
)
# More files than this in one model's includes are refused.
MAX_FILES = 1000

_ABSTRACT_CELLS = frozenset(
    {
        "IF_curr_alpha",
        "IF_curr_exp",
        "IF_cond_alpha",
        "IF_cond_exp",
        "EIF_cond_exp_isfa_ista",
        "EIF_cond_alpha_isfa_ista",
        "HH_cond_exp",
        "pointCellCondBased",
        "pointCellCondBasedCa",
    }
)
_INPUTS = frozenset(
    {
        "pulseGenerator",
        "pulseGeneratorDL",
        "sineGenerator",
        "sineGeneratorDL",
        "rampGenerator",
        "rampGeneratorDL",
        "compoundInput",
        "compoundInputDL",
        "voltageClamp",
        "voltageClampTriple",
        "spikeArray",
        "timedSynapticInput",
        "spikeGenerator",
        "spikeGeneratorRandom",
        "spikeGeneratorPoisson",
        "spikeGeneratorRefPoisson",
        "poissonFiringSynapse",
        "transientPoissonFiringSynapse",
        "SpikeSourcePoisson",
    }
)
_SKIPPED = frozenset({"notes", "annotation", "property"})


def is_core_type_file(href: str) -> bool:
    """Is `href` (a path or URL) one of the NeuroML 2 core type files, never read?"""
    return href.replace("\\", "/").rstrip("/").rpartition("/")[2] in CORE_TYPE_FILES


def read_document(source: ModelFile) -> NeuroMLDocument:
    """The NeuroML content of a file and of everything it includes."""
    root, data = read_xml(source)
    return read_tree(root, data, source)


def read_tree(root: ET.Element, data: bytes, source: ModelFile) -> NeuroMLDocument:
    """The NeuroML content of an already parsed file (`data` is its bytes, for error lines)."""
    reader = _Reader()
    reader.tree(root, data, source)
    reader.finish(source)
    return reader.doc


class _Reader:
    def __init__(self) -> None:
        self.doc = NeuroMLDocument()
        self.seen: set[str] = set()
        self.where = self.doc.defined_in  # id -> file that defined it

    def tree(self, root: ET.Element, data: bytes, source: ModelFile) -> None:
        self.seen.add(str(source.path))
        self.doc.files.append(str(source.path))
        name = local(root.tag)
        if name not in ("neuroml", "Lems"):
            raise InterpreterError(
                source.path,
                f"not a NeuroML or LEMS document (the root element is <{name}>)",
                hint="NeuroML 2 files start with <neuroml>, LEMS files with <Lems>",
            )
        if name == "neuroml" and self.doc.id is None:
            self.doc.id = root.get("id")
        ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""

        def fail(el: ET.Element, message: str) -> NoReturn:
            line = line_of(data, local(el.tag), dict(el.attrib))
            raise InterpreterError(source.path, message, line=line)

        e = Elements(ns, fail)
        for el in root:
            self.element(el, e, source)

    def element(self, el: ET.Element, e: Elements, source: ModelFile) -> None:
        tag = local(el.tag)
        doc = self.doc
        if tag in ("include", "Include"):
            self.include(el, e, source)
            return
        if tag in _SKIPPED:
            return
        el_id = el.get("id")
        if el_id is None:
            return  # LEMS definitions (ComponentType, Dimension, Unit, Target) have no id
        if el_id in self.where:
            first = Path(self.where[el_id]).name
            e.fail(el, f"the id {el_id!r} is already defined in {first}")
        self.where[el_id] = str(source.path)
        kind = el.get("type", tag) if tag == "Component" else tag
        if tag in ("cell", "cell2CaPools"):
            doc.cells[el_id] = read_cell(el, e)
        elif tag.startswith("ionChannel"):
            doc.ion_channels[el_id] = read_ion_channel(el, e)
        elif tag == "network":
            doc.networks[el_id] = _network(el, e)
        elif tag == "morphology":
            doc.morphologies[el_id] = read_morphology(el, e)
        elif tag.startswith("biophysicalProperties"):
            doc.biophysics[el_id] = read_biophysics(el, e)
        elif kind in _ABSTRACT_CELLS or (kind.endswith("Cell") and kind != "cell"):
            doc.abstract_cells[el_id] = e.component(el)
        elif kind in _INPUTS:
            doc.inputs[el_id] = e.component(el)
        elif kind.endswith("Synapse") or kind in ("gapJunction", "silentSynapse"):
            doc.synapses[el_id] = e.component(el)
        elif kind.endswith("ConcentrationModel"):
            doc.concentration_models[el_id] = e.component(el)
        else:
            doc.components[el_id] = e.component(el)

    def include(self, el: ET.Element, e: Elements, source: ModelFile) -> None:
        href = el.get("href") or el.get("file") or el.get("url")
        if not href:
            e.fail(el, f"<{local(el.tag)}> names no file (href= or file=)")
        if is_core_type_file(href):
            return
        try:
            target = source.relative(href)
        except InterpreterError as err:
            e.fail(el, f"includes {href!r}: {err.reason}")
        if str(target.path) in self.seen:
            return
        if len(self.seen) >= MAX_FILES:
            e.fail(el, f"includes more than {MAX_FILES} files")
        root, data = read_xml(target)
        self.tree(root, data, target)

    def finish(self, source: ModelFile) -> None:
        """Resolve what cells name by id (`<cell morphology="m1">`) once every file is read."""
        doc = self.doc
        for cell in doc.cells.values():
            if cell.morphology is None and cell.morphology_ref:
                cell.morphology = doc.morphologies.get(cell.morphology_ref)
                if cell.morphology is None:
                    raise InterpreterError(
                        source.path,
                        f"cell {cell.id!r} names the morphology {cell.morphology_ref!r}, "
                        "which no file defines",
                    )
            if cell.biophysics is None and cell.biophysics_ref:
                cell.biophysics = doc.biophysics.get(cell.biophysics_ref)


# -- networks ------------------------------------------------------------------------------


def _network(el: ET.Element, e: Elements) -> Network:
    net = Network(e.required(el, "id"), el.get("type", "network"), el.get("temperature"))
    for child in el:
        tag = local(child.tag)
        if tag == "population":
            net.populations.append(_population(child, e))
        elif tag.endswith("rojection"):  # projection, electricalProjection, continuous...
            net.projections.append(_projection(child, e))
        elif tag == "explicitInput":
            net.explicit_inputs.append(
                ExplicitInput(
                    e.required(child, "target"),
                    e.required(child, "input"),
                    child.get("destination"),
                )
            )
        elif tag == "inputList":
            net.input_lists.append(_input_list(child, e))
        elif tag not in ("notes", "annotation"):
            net.extra.append(e.component(child))
    return net


def _population(el: ET.Element, e: Elements) -> Population:
    t_instance, t_location = e.ns + "instance", e.ns + "location"
    instances: list[Instance] = []
    pop = Population(
        e.required(el, "id"), e.required(el, "component"), 0, el.get("type", "population")
    )
    for child in el:
        if child.tag == t_instance:
            loc = child.find(t_location)
            location = None
            if loc is not None:
                location = (
                    e.float_attr(loc, "x"),
                    e.float_attr(loc, "y"),
                    e.float_attr(loc, "z"),
                )
            ijk = None
            if "i" in child.attrib:
                ijk = (e.int_attr(child, "i"), e.int_attr(child, "j", 0), e.int_attr(child, "k", 0))
            # Old files omit instance ids: the position in the list is the id.
            instances.append(Instance(e.int_attr(child, "id", len(instances)), location, ijk))
        elif local(child.tag) == "property":
            pop.properties[e.required(child, "tag")] = child.get("value", "")
        elif local(child.tag) not in ("notes",):
            pop.extra.append(e.component(child))
    pop.instances = instances
    pop.size = e.int_attr(el, "size") if "size" in el.attrib else len(instances)
    if instances and pop.type == "population":
        pop.type = "populationList"  # instances make it a list whatever the attribute says
    return pop


def _projection(el: ET.Element, e: Elements) -> Projection:
    proj = Projection(
        e.required(el, "id"),
        e.required(el, "presynapticPopulation"),
        e.required(el, "postsynapticPopulation"),
        el.get("synapse"),
        local(el.tag),
    )
    out = proj.connections
    for child in el:
        a = child.attrib
        tag = local(child.tag)
        if not tag.lower().endswith(("connection", "connectionwd", "instance", "instancew")):
            continue
        pre = a.get("preCellId") or a.get("preCell")
        post = a.get("postCellId") or a.get("postCell")
        if pre is None or post is None:
            e.fail(child, f"<{tag}> of projection {proj.id!r} has no preCell/postCell")
        try:
            connection = Connection(
                e.int_attr(child, "id", len(out)),  # old files omit connection ids
                pre,
                post,
                int(a.get("preSegmentId") or a.get("preSegment") or 0),
                float(a.get("preFractionAlong", 0.5)),
                int(a.get("postSegmentId") or a.get("postSegment") or 0),
                float(a.get("postFractionAlong", 0.5)),
                tag,
                float(a.get("weight", 1.0)),
                a.get("delay"),
                dict(a),
            )
        except ValueError as err:
            e.fail(child, f"<{tag}> of projection {proj.id!r}: {err}")
        out.append(connection)
    return proj


def _input_list(el: ET.Element, e: Elements) -> InputList:
    inputs = InputList(
        e.required(el, "id"), e.required(el, "component"), e.required(el, "population")
    )
    for child in el:
        if local(child.tag) in ("input", "inputW"):
            inputs.inputs.append(
                Input(
                    e.int_attr(child, "id"),
                    e.required(child, "target"),
                    child.get("destination", "synapses"),
                    e.int_attr(child, "segmentId", 0),
                    e.float_attr(child, "fractionAlong", 0.5),
                    e.float_attr(child, "weight", 1.0),
                )
            )
    return inputs
