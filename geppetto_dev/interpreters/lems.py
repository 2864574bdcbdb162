"""LEMS simulation files (`lemsModelInterpreter`): a NeuroML model and how to run it.

A LEMS file (`<Lems>`) includes NeuroML files (or holds NeuroML elements itself) and describes
a `<Simulation id length step target>`: the network to run, for how long, with which time step,
and what to record (`<Display>/<Line quantity>`, `<OutputFile>/<OutputColumn quantity>`). The
target network becomes the model, read by the NeuroML reader; the simulation becomes a
`LemsSimulation`, times in seconds and recorded quantities as Geppetto paths, which is what a
Geppetto experiment holds (timestep, length, watched variables).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.lems_paths import PathError, geppetto_path_of, lems_quantity_of
from geppetto_dev.interpreters.neuroml.component import Component
from geppetto_dev.interpreters.neuroml.document import NeuroMLDocument
from geppetto_dev.interpreters.neuroml.interpreter import build_model, import_from
from geppetto_dev.interpreters.neuroml.parse import read_tree
from geppetto_dev.interpreters.neuroml.units import QuantityError, si
from geppetto_dev.interpreters.neuroml.visual import parse_id
from geppetto_dev.interpreters.xmlsafe import local_name, read_xml, root_name
from geppetto_dev.model import GeppettoLibrary, GeppettoModel, Type

__all__ = [
    "LEMS_INTERPRETER_ID",
    "LemsInterpreter",
    "LemsOutput",
    "LemsSimulation",
    "geppetto_path_of",
    "lems_interpreter",
    "lems_quantity_of",
    "read_lems",
]

LEMS_INTERPRETER_ID = "lemsModelInterpreter"


@dataclass(slots=True)
class LemsOutput:
    """One recorded quantity: where LEMS writes it (a display line or a file column)."""

    quantity: str  # as LEMS names it: hhpop[0]/v
    path: str | None  # as Geppetto names it: net1.hhpop[0].v (None: not in the model)
    owner: str  # the <Display> or <OutputFile> id
    id: str  # the <Line> or <OutputColumn> id
    file_name: str | None = None  # the OutputFile's fileName


@dataclass(slots=True)
class LemsSimulation:
    """A LEMS `<Simulation>` as a Geppetto experiment: SI times, watched Geppetto paths."""

    id: str
    target: str  # the network's id
    length: float  # s
    step: float  # s
    watched: list[str] = field(default_factory=list)  # Geppetto paths, first-seen order
    outputs: list[LemsOutput] = field(default_factory=list)
    # LEMS quantities with no variable in the model (synapse conductances, ...).
    unresolved: list[str] = field(default_factory=list)


def _simulation_element(doc: NeuroMLDocument, target: str | None, source: ModelFile) -> Component:
    sims = {k: c for k, c in doc.components.items() if c.type == "Simulation"}
    if target is not None and target in sims:
        return sims[target]
    if len(sims) == 1:
        return next(iter(sims.values()))
    if not sims:
        raise InterpreterError(
            source.path,
            "has no <Simulation>",
            hint="a LEMS file for Geppetto names its network in <Simulation target=...>",
        )
    raise InterpreterError(
        source.path,
        f"has {len(sims)} simulations ({', '.join(sims)}) and no <Target> naming one",
        hint='add <Target component="SIMULATION_ID"/>',
    )


def _seconds(sim: Component, name: str, source: ModelFile) -> float:
    text = sim.get(name)
    if text is None:
        raise InterpreterError(source.path, f"simulation {sim.id!r} has no {name}")
    try:
        return si(text, "time")
    except QuantityError as err:
        raise InterpreterError(source.path, f"simulation {sim.id!r}: {name}: {err}") from None


def _outputs(sim: Component) -> list[LemsOutput]:
    out = []
    for group in sim.children:
        if group.type not in ("Display", "OutputFile"):
            continue
        file_name = group.get("fileName") if group.type == "OutputFile" else None
        for item in group.children:
            quantity = item.get("quantity")
            if item.type in ("Line", "OutputColumn") and quantity:
                out.append(LemsOutput(quantity, None, group.id or "", item.id or "", file_name))
    return out


def simulation_of(
    doc: NeuroMLDocument,
    source: ModelFile,
    model: GeppettoModel | None = None,
    target: str | None = None,
) -> LemsSimulation:
    """The simulation `target` names (or the only one); with the model, paths are checked."""
    sim = _simulation_element(doc, target, source)
    network = sim.get("target")
    if network is None or network not in doc.networks:
        raise InterpreterError(
            source.path,
            f"simulation {sim.id!r} targets {network!r}, which is no network of the model",
            hint="<Simulation target=...> names the <network> to run",
        )
    result = LemsSimulation(
        sim.id or "", network, _seconds(sim, "length", source), _seconds(sim, "step", source)
    )
    root = model.variables[0].id if model is not None and model.variables else None
    seen: set[str] = set()
    for output in _outputs(sim):
        try:
            path = geppetto_path_of(output.quantity, doc, network, root)
            if model is not None:
                model.pointer(path)
            output.path = path
        except (PathError, KeyError):
            if output.quantity not in result.unresolved:
                result.unresolved.append(output.quantity)
        else:
            if path not in seen:
                seen.add(path)
                result.watched.append(path)
        result.outputs.append(output)
    return result


def _target(source: ModelFile) -> tuple[NeuroMLDocument, str | None]:
    root, data = read_xml(source)
    if local_name(root.tag) != "Lems":
        raise InterpreterError(
            source.path,
            f"not a LEMS file (the root element is <{local_name(root.tag)}>)",
            hint="LEMS files start with <Lems>; NeuroML files are read by neuroMLModelInterpreter",
        )
    target = next((el.get("component") for el in root if local_name(el.tag) == "Target"), None)
    return read_tree(root, data, source), target


def read_lems(source: ModelFile) -> tuple[GeppettoModel, LemsSimulation]:
    """The target network as a model (its top-level variable is the network) and the run."""
    doc, target = _target(source)
    network = simulation_of(doc, source, None, target).target
    model = build_model(doc, source, network)
    return model, simulation_of(doc, source, model, target)


class LemsInterpreter:
    """LEMS files (`.xml` whose root is `<Lems>`), their NeuroML read by the NeuroML reader."""

    id = LEMS_INTERPRETER_ID
    extensions: tuple[str, ...] = (".xml",)

    def accepts(self, source: ModelFile) -> bool:
        """Is this `.xml` a LEMS file? (Other interpreters read `.xml` too.)"""
        return root_name(source) == "Lems"

    def import_type(self, source: ModelFile, type_id: str, library: GeppettoLibrary) -> Type:
        """A component by id (a projection being resolved), else the simulated network,
        which takes the ImportType's id (`hhcell` in a project may stand for `net1`)."""
        doc, target = _target(source)
        known = {*doc.networks, *doc.cells, *doc.abstract_cells}
        projections = {parse_id(p.id) for n in doc.networks.values() for p in n.projections}
        if type_id in known or type_id in projections:
            return import_from(doc, source, type_id, library)
        network = simulation_of(doc, source, None, target).target
        return import_from(doc, source, type_id, library, component_id=network)

    def read_model(self, source: ModelFile) -> GeppettoModel:
        return read_lems(source)[0]


lems_interpreter = LemsInterpreter()
