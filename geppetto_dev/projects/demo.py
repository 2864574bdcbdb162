"""The demo project (id 1, `demo`): a small network of neurons to open in the Geppetto page.

- a cell type with a soma and three dendrites (a CompositeVisualType the 3D canvas draws),
  whose membrane potential `v` carries a trace (plotted without running anything);
- a network of three such cells, an ArrayType with a position per cell;
- a lazy part, `net.details`: an ImportType resolved by `resolve_details` when asked;
- an experiment that runs a leaky integrate-and-fire simulation of the three cells in plain
  Python and records `v` of each;
- a NeuroML cell, `hhnet` (read from `hh_cell.nml` beside this file): a Hodgkin-Huxley soma
  under a current pulse, which NEURON simulates in experiment 2 (NEURON comes with the
  `neuron` extra: `pip install 'geppetto-dev[neuron]'`; without it, running experiment 2 says
  so);
- a data source, `cells`: Spotlight finds the network and its cells, the query builder runs
  "Cells of Network that fire" on the network; the experiment's script adds it to the page.

`geppetto_dev.example` serves it; `geppetto-dev init` writes an editable copy of this file
into the starter project (a test checks that both build the same model).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geppetto_dev import model as gm
from geppetto_dev.projects.data_sources import DataSource
from geppetto_dev.projects.model_reading import read_model
from geppetto_dev.projects.project import Experiment, ModelFileRef, Project, RunRequest

__all__ = [
    "EXPERIMENTS",
    "HH_CELL",
    "SCRIPT",
    "build_model",
    "cells",
    "demo_project",
    "download",
    "resolve_details",
    "script",
    "simulate",
]

POSITIONS = [(0.0, 0.0, 0.0), (150.0, 0.0, 0.0), (300.0, 0.0, 0.0)]
# Input current (nA) to each cell: the first stays below threshold, the others fire.
CURRENTS = [0.12, 0.3, 0.45]
# The experiment's script: the client asks for it once the experiment is loaded.
SCRIPT = "demo.js"
# The NeuroML cell: its model is added to the demo's, and NEURON simulates this file.
HH_CELL = Path(__file__).with_name("hh_cell.nml")
HH_MEMBRANE = "hhnet.hhpop[0].hhcell_biophysics.membraneProperties"

EXPERIMENTS = [
    Experiment(
        1,
        "Leaky integrate-and-fire",
        description="Three cells driven by constant currents for 200 ms",
        watched=[f"net.pop[{i}].v" for i in range(len(POSITIONS))],
        timestep=1e-4,
        length=0.2,
        script=SCRIPT,
    ),
    Experiment(
        2,
        "Hodgkin-Huxley cell in NEURON",
        description="The NeuroML cell of hh_cell.nml under a 0.1 nA pulse for 100 ms, simulated "
        "by NEURON (pip install 'geppetto-dev[neuron]')",
        watched=[
            "hhnet.hhpop[0].v",
            f"{HH_MEMBRANE}.naChans.naChannel.m.q",
            f"{HH_MEMBRANE}.naChans.naChannel.h.q",
            f"{HH_MEMBRANE}.kChans.kChannel.n.q",
        ],
        timestep=2.5e-5,
        length=0.1,
        simulator_id="neuronSimulator",  # the simulator that runs it, not the run hook below
    ),
]


def lif_trace(current: float, *, timestep: float, length: float) -> list[float]:
    """Membrane potential (mV) of a leaky integrate-and-fire cell under a constant current."""
    v_rest, v_threshold, v_reset, v_peak = -65.0, -50.0, -70.0, 20.0
    tau_m, resistance = 0.02, 100.0  # s, MOhm
    v = v_rest
    trace = []
    for _ in range(round(length / timestep)):
        if v >= v_threshold:
            trace.append(v_peak)  # the spike, drawn as one sample at the peak
            v = v_reset
            continue
        v += timestep * (v_rest - v + resistance * current) / tau_m
        trace.append(round(v, 4))
    return trace


# A data source: what Spotlight finds, a query the query builder runs on the network, and a
# variable fetched by id. The experiment's script (`demo.js`) adds it to the page.
cells = DataSource(
    "cells",
    name="Demo cells",
    # What Spotlight shows for each type of result: an icon, and buttons under the search box.
    result_types={
        "cell": {
            "icon": "fa-circle",
            "buttons": {
                "zoom": {
                    "actions": ["GEPPETTO.SceneController.zoomTo([Instances.getInstance('$ID$')])"],
                    "icon": "fa-search-plus",
                    "label": "Zoom",
                    "tooltip": "Zoom to the cell",
                }
            },
        },
        "network": {
            "icon": "fa-sitemap",
            "buttons": {
                "query": {
                    "actions": [
                        "GEPPETTO.Spotlight.close()",
                        "GEPPETTO.QueryBuilder.open()",
                        "GEPPETTO.QueryBuilder.addQueryItem({id: 'net'})",
                    ],
                    "icon": "fa-cogs",
                    "label": "Query",
                    "tooltip": "Query the network",
                }
            },
        },
    },
)


def spikes(current: float) -> int:
    """How often a cell under this current fires during the experiment."""
    experiment = EXPERIMENTS[0]
    trace = lif_trace(current, timestep=experiment.timestep, length=experiment.length)
    return trace.count(20.0)


@cells.search
def search(term: str) -> list[dict[str, str]]:
    """Spotlight's results for a search term: the network and its cells."""
    rows = [{"id": "Network", "label": "Network of three cells", "type": "network"}]
    rows += [
        {"id": f"net.pop[{i}]", "label": f"Cell {i}, input {current} nA", "type": "cell"}
        for i, current in enumerate(CURRENTS)
    ]
    words = term.lower().split()
    return [row for row in rows if all(word in row["label"].lower() for word in words)]


@cells.fetch
def fetch(model: gm.GeppettoModel, variable_id: str) -> gm.Variable | None:
    """`cell0`, `cell1`, `cell2`: a text about the cell, added to the model when fetched."""
    index = variable_id.removeprefix("cell")
    if not index.isdigit() or int(index) >= len(CURRENTS):
        return None
    current = CURRENTS[int(index)]
    return gm.text(variable_id, f"Cell {index}: input {current} nA, {spikes(current)} spikes")


@cells.query(
    "firing",
    description="Cells of $NAME that fire",
    columns=("ID", "Name", "Input (nA)", "Spikes"),
    matches=("demo.network",),
)
def firing(model: gm.GeppettoModel, path: str) -> list[tuple[str, str, float, int]]:
    """The cells of the network at `path` that fire during the experiment."""
    counts = [spikes(current) for current in CURRENTS]
    return [
        (f"{path}.pop[{i}]", f"Cell {i}", current, count)
        for i, (current, count) in enumerate(zip(CURRENTS, counts, strict=True))
        if count > 0
    ]


def build_model() -> gm.GeppettoModel:
    model = gm.GeppettoModel("demo", name="Demo network")
    lib = model.add_library("demo", name="Demo library")
    morphology = lib.add(
        gm.CompositeVisualType(
            "morphology",
            name="Morphology",
            variables=[
                gm.sphere("soma", radius=10.0, position=(0, 0, 0)),
                gm.cylinder(
                    "dend_apical",
                    bottom_radius=3.0,
                    top_radius=1.0,
                    position=(0, 10, 0),
                    distal=(0, 110, 0),
                ),
                gm.cylinder(
                    "dend_left",
                    bottom_radius=2.0,
                    top_radius=0.8,
                    position=(-7, 7, 0),
                    distal=(-60, 60, 0),
                ),
                gm.cylinder(
                    "dend_right",
                    bottom_radius=2.0,
                    top_radius=0.8,
                    position=(7, 7, 0),
                    distal=(60, 60, 0),
                ),
            ],
        )
    )
    resting = lif_trace(CURRENTS[0], timestep=1e-4, length=0.2)
    cell = lib.add(
        gm.CompositeType(
            "cell",
            name="Cell",
            variables=[gm.state_variable("v", gm.time_series(resting, unit="mV"))],
            visual_type=morphology,
        )
    )
    population = lib.add(gm.ArrayType("pop", array_type=cell, positions=POSITIONS))
    details = lib.add(gm.ImportType("details", autoresolve=False))
    network = lib.add(
        gm.CompositeType(
            "network",
            name="Network",
            variables=[gm.Variable("pop", population), gm.Variable("details", details)],
        )
    )
    model.add_variable(gm.Variable("net", network, name="Network"))
    add_neuroml_cell(model)
    return model


def add_neuroml_cell(model: gm.GeppettoModel) -> None:
    """The NeuroML cell of hh_cell.nml, beside the network: its network `hhnet` and types."""
    cell = read_model(HH_CELL)
    model.attach_library(cell.library("neuroml"))
    model.add_variable(cell.variable("hhnet"))


def resolve_details(model: gm.GeppettoModel, lazy: Any) -> gm.Type:
    """The lazy part, built when the client asks for it (resolve_import_type)."""
    return gm.CompositeType(
        lazy.id,
        name="Details",
        variables=[
            gm.text("about", "Three leaky integrate-and-fire cells, tau_m = 20 ms, R = 100 MOhm"),
            gm.parameter("tau_m", 0.02, "s"),
            gm.parameter("resistance", 100.0, "MOhm"),
        ],
    )


def simulate(run: RunRequest) -> dict[str, gm.TimeSeries]:
    """Runs experiment 1 in the experiment executor, off the event loop; one trace per watched
    cell (experiment 2 names a simulator, which runs HH_CELL instead)."""
    steps = round(run.length / run.timestep)
    results = {"time": gm.time_series([i * run.timestep for i in range(steps)], unit="s")}
    for path in run.watched:
        index = int(path.split("[")[1].split("]")[0]) if "[" in path else 0
        current = CURRENTS[index % len(CURRENTS)] * run.parameters.get("scale", 1.0)
        trace = lif_trace(current, timestep=run.timestep, length=run.length)
        results[path] = gm.time_series(trace, unit="mV")
    return results


def download(model: gm.GeppettoModel, instance_path: str, fmt: str) -> tuple[str, bytes]:
    """The model as EMF-JSON (the only format offered)."""
    body = json.loads(gm.to_json(model))
    return "demo-model.json", json.dumps(body, indent=1).encode("utf-8")


def script(url: str) -> str | None:
    """The experiment's script: adds the data source to Spotlight and the query builder."""
    return cells.client_script() if url == SCRIPT else None


def demo_project() -> Project:
    project = Project(
        id=1,
        name="demo",
        build=build_model,
        experiments=tuple(EXPERIMENTS),
        data_sources=[cells],
        model_file=ModelFileRef(str(HH_CELL)),
    )
    project.script(script)
    project.resolve_type(resolve_details)
    project.run(simulate)
    project.download("JSON")(download)
    return project
