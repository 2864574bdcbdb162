"""A job's model file read and run: NeuroML with the job's settings, LEMS with its own.

A LEMS simulation file brings its target network, length, step and recorded quantities; the
job's values, where given, win (an experiment's configuration overrides the file's), and the
job's model parameters change the document before anything is built.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from geppetto_dev.interpreters.base import InterpreterError
from geppetto_dev.simulators.job import SimulationError, SimulationJob
from geppetto_dev.simulators.models import JobModel, read_job_model
from geppetto_dev.simulators.neuron.simulation import CompileChannels, choose_network, simulate
from geppetto_dev.simulators.parameters import apply_parameters

__all__ = ["run_job"]


def run_job(job: SimulationJob) -> Mapping[str, Any]:
    try:
        model = read_job_model(job)
    except InterpreterError as exc:
        raise SimulationError(exc.message, exc.hint) from None
    network = choose_network(model.document, model.target, job.watched)
    apply_parameters(model.document, network, job.parameters)
    watched = job.watched or model.recorded
    timestep = job.timestep or model.step
    length = job.length or model.length
    if timestep is None or length is None:
        raise SimulationError(
            f"{job.model}: no time step or length for the run",
            "give the experiment a timestep and a length (or run a LEMS simulation file)",
        )
    return simulate(
        model.document, network, watched, timestep, length, _compiler(model, network.id)
    )


def _compiler(model: JobModel, network: str) -> CompileChannels | None:
    """jNeuroML's export and nrnivmodl for channels KSChan cannot express, where present."""
    from geppetto_dev.simulators.neuron.compiled import compile_channels, missing_tools

    if missing_tools():
        return None
    files = tuple(model.document.files) or (str(model.source.path),)
    return functools.partial(compile_channels, model.source.path, model.is_lems, network, files)
