"""What a simulation run is given: a picklable description that crosses to any worker.

A job names its model by file (never by an in-memory model), so it pickles to a few hundred
bytes and a worker on another machine of a Dask cluster reads the same file from a shared
folder. Times are in seconds, as Geppetto's simulator configuration holds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from geppetto_dev.errors import GeppettoDevError

__all__ = ["SimulationError", "SimulationJob"]


class SimulationError(GeppettoDevError):
    """A run that cannot be done or failed: what, and how to fix it."""

    def __reduce__(self) -> tuple[type[SimulationError], tuple[str, str]]:
        # Keep the hint when the error crosses back from a worker process.
        return (type(self), (self.message, self.hint))


@dataclass(frozen=True)
class SimulationJob:
    """One run of one model.

    `model` is a NeuroML 2 file (.nml) or a LEMS simulation file (.xml) under `root`, the
    folder its includes are read from. `target` names the network (or cell) to run; empty
    means the LEMS file's target, else the file's only network. `watched` are Geppetto paths
    (`net.pop[0].v`, `net.pop[0].Soma_0.v`, `net.pop[0].bioPhys1.membraneProperties.naChans.
    na.m.q`); their first segment is the instance the experiment runs and is kept as given.
    `timestep` and `length` of None take the LEMS file's own step and length, and empty
    `watched` its recorded quantities.
    """

    model: str
    root: str = ""
    target: str = ""
    watched: tuple[str, ...] = ()
    timestep: float | None = None
    length: float | None = None
    parameters: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.timestep is not None and not self.timestep > 0:
            raise SimulationError(
                f"the time step must be positive, got {self.timestep}", "give it in seconds"
            )
        if self.length is not None and not self.length > 0:
            raise SimulationError(
                f"the simulation length must be positive, got {self.length}",
                "give it in seconds",
            )
        object.__setattr__(self, "watched", tuple(self.watched))
