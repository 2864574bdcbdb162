"""A project for the end-to-end storage tests, importable by servers and Dask workers alike."""

from __future__ import annotations

import os
import time
from typing import Any

from geppetto_dev import model as gm
from geppetto_dev.projects import Experiment, project


def build() -> gm.GeppettoModel:
    m = gm.GeppettoModel("lab", name="Lab")
    lib = m.add_library("lab")
    cell = lib.add(gm.CompositeType("cell", variables=[gm.state_variable("v")]))
    m.add_variable(gm.Variable("cell", cell))
    return m


lab = project(id=5, name="lab", experiments=[Experiment(1, "Rest", watched=["cell.v"])])(build)


@lab.run
def simulate(request: Any) -> dict[str, list[float]]:
    """Records the pid of the process that ran it, so tests see where runs execute."""
    time.sleep(request.parameters.get("sleep", 0.0))
    return {"cell.v": [float(os.getpid()), 1.0, 2.0]}
