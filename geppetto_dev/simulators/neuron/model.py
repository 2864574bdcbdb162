"""A job's model file read and run: NeuroML with the job's settings, LEMS with its own.

A LEMS simulation file brings its target network, length, step and recorded quantities; the
job's values, where given, win (an experiment's configuration overrides the file's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.neuroml.parse import read_document
from geppetto_dev.simulators.job import SimulationError, SimulationJob
from geppetto_dev.simulators.lems_paths import LemsRun, read_lems_run
from geppetto_dev.simulators.neuron.run import choose_network, simulate

__all__ = ["run_job"]


def run_job(job: SimulationJob) -> Mapping[str, Any]:
    try:
        source = ModelFile.open(job.model, job.root or None)
        document = read_document(source)
        lems = read_lems_run(source)
    except InterpreterError as exc:
        raise SimulationError(exc.message, exc.hint) from None
    settings = lems or LemsRun()
    target = job.target or settings.target
    network = choose_network(document, target, job.watched)
    watched = job.watched or settings.watched(network.id)
    timestep = job.timestep or settings.step
    length = job.length or settings.length
    if timestep is None or length is None:
        raise SimulationError(
            f"{job.model}: no time step or length for the run",
            "give the experiment a timestep and a length (or run a LEMS simulation file)",
        )
    return simulate(document, network, watched, timestep, length)
