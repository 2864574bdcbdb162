"""An app with more projects than the demo, for the workbench's browser tests: two models the
3D canvas cannot draw, an experiment whose run fails, and one that runs until it is stopped.

    geppetto-dev serve --app tests.browser.several_projects:app
"""

from __future__ import annotations

import time

from flask import Flask

from geppetto_dev import model as gm
from geppetto_dev import report_progress
from geppetto_dev.model import common
from geppetto_dev.projects import Experiment, RunRequest, demo, project

__all__ = ["app", "broken_mesh", "demo_project", "failing", "obj_beside_sphere", "slow"]

app = Flask(__name__)
demo_project = demo.demo_project()

SQUARE = "v 0 0 0\nv 10 0 0\nv 10 10 0\nv 0 10 0\nf 1 2 3\nf 1 3 4\n"


def _mesh(obj: str) -> gm.Variable:
    return gm.Variable("mesh", common.VISUAL, None, gm.OBJ(obj))


def _one_shape(name: str, *shapes: gm.Variable) -> gm.GeppettoModel:
    model = gm.GeppettoModel(name)
    lib = model.add_library(name)
    visual = lib.add(gm.CompositeVisualType("shape", variables=list(shapes)))
    thing = lib.add(gm.CompositeType("thing", variables=[], visual_type=visual))
    model.add_variable(gm.Variable("thing", thing))
    return model


@project(id=2, name="OBJ beside a sphere")
def obj_beside_sphere() -> gm.GeppettoModel:
    return _one_shape("mixed", gm.sphere("ball", radius=5.0), _mesh(SQUARE))


@project(id=3, name="broken mesh")
def broken_mesh() -> gm.GeppettoModel:
    return _one_shape("broken", _mesh("v 0 0\nf 1 2 9\n"))


@project(
    id=4,
    name="failing run",
    experiments=[Experiment(1, "No current", watched=["net.pop[0].v"])],
)
def failing() -> gm.GeppettoModel:
    return demo.build_model()


@failing.run
def no_current(run: RunRequest) -> dict[str, gm.TimeSeries]:
    raise ValueError("the input current is missing")


@project(
    id=5,
    name="slow run",
    experiments=[Experiment(1, "Ten minutes", watched=["net.pop[0].v"])],
)
def slow() -> gm.GeppettoModel:
    return demo.build_model()


@slow.run
def ten_minutes(run: RunRequest) -> dict[str, gm.TimeSeries]:
    for second in range(600):  # until a Stop kills it
        report_progress(second, 600, force=True)
        time.sleep(1)
    raise ValueError("it was never stopped")
