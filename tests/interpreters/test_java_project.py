"""Java Geppetto projects: project JSON files written as org.geppetto.samples writes them
(lenient GEPPETTO.json, Gson's one-line project.json, a saved project with its view), the XMI
they point at, and the experiments as the projects layer takes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters import (
    InterpreterError,
    LenientJsonError,
    default_interpreters,
    parse_java_project,
    read_java_project,
)
from geppetto_dev.projects import Experiment
from tests.interpreters.checks import client_view
from tests.interpreters.samples import GEPPETTO_JSON, HEAD, TAIL, project


def test_a_lenient_project_and_its_model(tmp_path: Path) -> None:
    p = read_java_project(project(tmp_path), interpreters=default_interpreters())
    assert (p.id, p.name, p.active_experiment_id, p.is_public) == (
        1,
        "Hodgkin-Huxley Neuron",
        1,
        False,
    )
    assert (p.model_url, p.model_type) == ("GeppettoModel.xmi", "GEPPETTO_PROJECT")
    first, second = p.experiments
    assert (first.id, first.status, first.last_modified) == (1, "DESIGN", "1436102517799")
    assert first.script == "HH_Geppetto_Script.js"
    (aspect,) = first.aspects
    assert aspect.instance == "hhcell"
    assert aspect.watched_variables == ("hhcell.swcPoint1.v", "hhcell.swcPoint2.v")
    assert aspect.model_parameters == (("hhcell.swcPoint1.gbar", 0.2),)
    sim = aspect.simulator
    assert sim is not None
    assert (sim.simulator_id, sim.conversion_service_id) == ("neuronSimulator", "lemsConversion")
    assert (sim.timestep, sim.length, dict(sim.parameters)) == (5e-05, 0.3, {"target": "net1"})
    assert (second.status, second.aspects, second.simulator) == ("COMPLETED", (), None)
    m = p.model
    assert [v.id for v in m.variables] == ["hhcell", "time"]  # time, as RuntimeProject adds it
    cell = m.variable("hhcell").type
    assert isinstance(cell, gm.CompositeVisualType) and cell.id == "net1"
    raw, _, _ = client_view(m)
    assert raw["variables"][1]["initialValues"][0]["value"]["unit"]["unit"] == "s"
    assert p.experiment(2) is second and p.experiment(3) is None


def test_experiments_as_the_projects_layer_takes_them(tmp_path: Path) -> None:
    p = read_java_project(project(tmp_path), interpreters=default_interpreters())
    first, second = (Experiment(**e.experiment_fields()) for e in p.experiments)
    assert first == Experiment(
        id=1,
        name="Hodgkin-Huxley NEURON simulation",
        description="The Hodgkin-Huxley model of how action potentials are initiated.",
        watched=("hhcell.swcPoint1.v", "hhcell.swcPoint2.v"),
        parameters={"hhcell.swcPoint1.gbar": 0.2},
        timestep=5e-05,
        length=0.3,
        simulator_id="neuronSimulator",
        instance="hhcell",
        script="HH_Geppetto_Script.js",
    )
    # What the project does not say keeps Experiment's defaults.
    assert (second.simulator_id, second.timestep, second.length) == ("pythonSimulator", 1e-05, 0.1)


# Gson's own output (UsedInUnitTests/balanced/project.json): one line, quoted keys.
GSON_WRITTEN = json.dumps(
    {
        "id": 1,
        "name": "Balanced_240cells_36926conns.net - net",
        "activeExperimentId": 1,
        "experiments": [
            {
                "id": 1,
                "name": "Balanced - net",
                "status": "DESIGN",
                "creationDate": "1473335963464",
                "lastModified": "1473335963464",
                "aspectConfigurations": [
                    {
                        "id": 1,
                        "instance": "hhcell",
                        "simulatorConfiguration": {
                            "id": 1,
                            "simulatorId": "neuronSimulator",
                            "timestep": 1.0e-05,
                            "length": 0.3,
                            "parameters": {"target": "net1"},
                        },
                    }
                ],
            }
        ],
        "geppettoModel": {"id": 1, "url": "GeppettoModel.xmi", "type": "GEPPETTO_PROJECT"},
    }
)


def test_a_project_gson_wrote(tmp_path: Path) -> None:
    p = read_java_project(project(tmp_path, GSON_WRITTEN, "project.json"))
    (e,) = p.experiments
    assert (e.creation_date, e.script, e.simulator.timestep) == ("1473335963464", None, 1e-05)  # type: ignore[union-attr]
    assert p.xmi is not None and [t.id for t in p.xmi.unresolved] == ["net1"]  # no interpreters


# A saved project (UsedInUnitTests/cylinder/geppetto.json): view states as an object, dates as
# numbers, an escaped slash, isPublic on the experiment.
SAVED = r"""{"id":61329228,"name":"spineshowcase","isPublic":"true","experiments":[{"id":1,
"aspectConfigurations":[{"id":1,"instance":"hhcell","simulatorConfiguration":{"id":1,
"simulatorId":"neuronSimulator","timestep":2.5E-5,"length":0.3,"parameters":{"target":"net1"}}}],
"name":"Example2 - net","creationDate":1518533035000,"lastModified":1518533035000,
"status":"DESIGN","script":"\/script.js","isPublic":false,"view":{"id":0,"viewStates":{"views":
{"Canvas1":{"widgetType":"CANVAS","data":["hhcell"],"componentSpecific":{"colorMap":
{"hhcell.swcPoint1":"#ff6600"}}}}}}}],"activeExperimentId":1,"geppettoModel":{"id":1,
"url":"/projects/spines/GeppettoModel.xmi","type":"GEPPETTO_PROJECT"}}"""


def test_a_saved_project_with_views_and_a_server_root_url(tmp_path: Path) -> None:
    path = project(tmp_path / "projects" / "spines", SAVED, "geppetto.json")
    p = read_java_project(path, tmp_path, interpreters=default_interpreters())
    assert p.is_public is True
    (e,) = p.experiments
    assert (e.last_modified, e.script) == ("1518533035000", "/script.js")
    assert e.view is not None
    assert json.loads(e.view)["views"]["Canvas1"]["componentSpecific"]["colorMap"] == {
        "hhcell.swcPoint1": "#ff6600"
    }
    assert isinstance(p.model.variable("hhcell").type, gm.CompositeVisualType)


def test_a_project_sent_as_text_reads_without_its_model() -> None:
    """load_project_from_content: the JSON alone, the model read later."""
    p = parse_java_project(GEPPETTO_JSON)
    assert p.xmi is None and [e.id for e in p.experiments] == [1, 2]
    with pytest.raises(InterpreterError, match="the project's model was not read"):
        p.model  # noqa: B018


def test_a_remote_model_is_refused_without_a_fetcher(tmp_path: Path) -> None:
    remote = GEPPETTO_JSON.replace(
        '"GeppettoModel.xmi"', '"https://raw.githubusercontent.com/o/r/HH/GeppettoModel.xmi"'
    )
    with pytest.raises(InterpreterError, match="remote files are not fetched here") as e:
        read_java_project(project(tmp_path, remote))
    assert "RemoteFetcher" in e.value.hint


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            ('status: "DESIGN"', 'status: "FINISHED"'),
            r"experiments\[0\]\.status: 'FINISHED' is none",
        ),
        (("id:1,", ""), r"experiments\[0\]\.id: every experiment needs an id"),
        (("timestep: 0.00005", "timestep: fast"), r"timestep: 'fast' is not a number"),
        (("timestep: 0.00005", "timestep: NaN"), r"timestep: 'NaN' is not a finite number"),
        (('["hhcell.swcPoint1.v",', "[{a: 1},"), r"watchedVariables\[0\]: must be a variable path"),
        (('url: "GeppettoModel.xmi",', ""), r"names no model \(geppettoModel\.url\)"),
        (("id: 2,", "id: 1,"), "two experiments have one id"),
        (
            ("experiments: [", "experiments: {x: ["),
            r"37: column 2: expected ',' or '\}' after a name/value pair \(at \$\.experiments\)",
        ),
        (("aspectConfigurations: [\n", "aspectConfigurations: 3, x: [\n"), "must be a list"),
    ],
)
def test_bad_projects_say_where(tmp_path: Path, change: tuple[str, str], says: str) -> None:
    old, new = change
    assert old in GEPPETTO_JSON
    with pytest.raises(InterpreterError, match=says):
        read_java_project(project(tmp_path, GEPPETTO_JSON.replace(old, new, 1)))


def test_a_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    bad = GEPPETTO_JSON.replace("length: 0.3,", "length: 0.3 0.4,")
    with pytest.raises(LenientJsonError) as e:
        read_java_project(project(tmp_path, bad))
    assert (e.value.line, e.value.column) == (25, 23)
    assert (
        e.value.json_path
        == "$.experiments[0].aspectConfigurations[0].simulatorConfiguration.length"
    )


HH_XMI = """  <variables id="hhcell" name="Hodgkin-Huxley Cell" types="//@libraries.0/@types.0"/>
  <libraries id="neuroml" name="NeuroML">
    <types xsi:type="gep_1:ImportType" id="net1" url="../LEMSexamples/LEMS_NML2_Ex5_DetCell.xml"
        referenceURL="" modelInterpreterId="lemsModelInterpreter"/>
  </libraries>
"""


def test_single_component_hh_with_jneuromls_lems_example(nml_root: Path) -> None:
    """The SingleComponentHH project over jNeuroML's LEMS example: every watched variable of
    its experiment is a path of the model (the client throws on one that is not)."""
    folder = nml_root / "SingleComponentHH"
    folder.mkdir(exist_ok=True)
    (folder / "GeppettoModel.xmi").write_text(HEAD + HH_XMI + TAIL)
    watched = [
        "hhcell.hhpop[0].v",
        "hhcell.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.m.q",
        "hhcell.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.h.q",
        "hhcell.hhpop[0].bioPhys1.membraneProperties.kChans.kChan.n.q",
    ]
    text = GEPPETTO_JSON.replace(
        '["hhcell.swcPoint1.v",\n          "hhcell.swcPoint2.v"\n        ]', json.dumps(watched)
    )
    (folder / "GEPPETTO.json").write_text(text)
    p = default_interpreters().read_project(folder / "GEPPETTO.json", nml_root)
    experiment = Experiment(**p.experiments[0].experiment_fields())
    assert list(experiment.watched) == watched
    for path in [*watched, "time"]:
        p.model.pointer(path)
    assert p.model.variable("hhcell").type.id == "net1"
    client_view(p.model)
