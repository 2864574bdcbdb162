"""A job's model file read once: the NeuroML document and, for a LEMS file, its simulation.

Both come from the interpreters (the NeuroML reader and the LEMS simulation), so a simulator
runs exactly what a viewer shows; the job's settings override the file's where given.
"""

from __future__ import annotations

from dataclasses import dataclass

from geppetto_dev.interpreters.base import ModelFile
from geppetto_dev.interpreters.neuroml.document import NeuroMLDocument
from geppetto_dev.interpreters.neuroml.parse import read_tree
from geppetto_dev.interpreters.xmlsafe import local_name, read_xml
from geppetto_dev.simulators.job import SimulationJob

__all__ = ["JobModel", "read_job_model"]


@dataclass(frozen=True)
class JobModel:
    """What a run needs from the file: the document, the network and the file's settings."""

    source: ModelFile
    document: NeuroMLDocument
    target: str  # the network to run ("" : let the simulator choose)
    recorded: tuple[str, ...] = ()  # Geppetto paths a LEMS file records
    step: float | None = None  # s
    length: float | None = None  # s
    is_lems: bool = False


def read_job_model(job: SimulationJob) -> JobModel:
    source = ModelFile.open(job.model, job.root or None)
    root, data = read_xml(source)
    document = read_tree(root, data, source)
    if local_name(root.tag) != "Lems":
        return JobModel(source, document, job.target)
    from geppetto_dev.interpreters.lems import simulation_of  # LEMS files only: ~0.1 s of imports

    lems_target = next((el.get("component") for el in root if local_name(el.tag) == "Target"), None)
    simulation = simulation_of(document, source, None, lems_target)
    target = job.target or simulation.target
    # What the file saves (its output files), else what it plots.
    saved = [o.path for o in simulation.outputs if o.file_name is not None and o.path]
    recorded = tuple(dict.fromkeys(saved)) if saved else tuple(simulation.watched)
    if target != simulation.target:
        # Another network than the file's: its recorded paths name the file's network.
        recorded = ()
    return JobModel(
        source, document, target, recorded, simulation.step, simulation.length, is_lems=True
    )
