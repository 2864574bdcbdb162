"""Which code runs an experiment: the simulator its `simulatorId` names, on the project's model
file, or else the project's own run hook.

A project with a model file (`@project(model_file=...)`, or a file project) runs an experiment
naming a registered simulator (`neuronSimulator`) with that simulator; an experiment naming
none (`pythonSimulator`, the default) goes to the project's run hook. So one project can hold a
plain-Python experiment and a NEURON one. A simulator that is unknown, or not installed here,
is a `SimulationError` saying which ones there are, or what to install.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from geppetto_dev.projects.project import ModelFileRef, Project, RunRequest
from geppetto_dev.projects.records import ExperimentRecord
from geppetto_dev.simulators.hook import SimulatorHook
from geppetto_dev.simulators.registry import Simulator, SimulatorRegistry

__all__ = ["run_hook_for", "simulator_hook"]

RunHook = Callable[[RunRequest], Mapping[str, Any]]


def run_hook_for(
    simulators: SimulatorRegistry, project_dir: Path, project: Project, record: ExperimentRecord
) -> RunHook | None:
    """What runs `record`: a SimulatorHook, the project's run hook, or None (nothing can).

    Raises SimulationError when the project has a model file but no simulator can run it
    (the experiment names an unknown one, or one that is not installed)."""
    model_file = project.model_file
    if model_file is not None and (record.simulator_id in simulators or project.run_hook is None):
        simulator = simulators.get(record.simulator_id)
        return simulator_hook(simulator, model_file, project_dir, record)
    return project.run_hook


def simulator_hook(
    simulator: Simulator, model_file: ModelFileRef, project_dir: Path, record: ExperimentRecord
) -> SimulatorHook:
    """`simulator` on the model file (a relative path is in the project folder)."""
    path = Path(model_file.path)
    if path.is_absolute():
        root = Path(model_file.root) if model_file.root else path.parent
    else:
        path = project_dir / path
        root = Path(model_file.root) if model_file.root else project_dir
        if not root.is_absolute():
            root = project_dir / root
    target = model_file.target or _target_parameter(record)
    return SimulatorHook(simulator, model=str(path), root=str(root), target=target)


def _target_parameter(record: ExperimentRecord) -> str:
    """The network a Java experiment's simulator configuration names (`target`), if any."""
    parameters = dict(getattr(record, "simulator_parameters", ()) or ())
    return str(parameters.get("target") or "")
