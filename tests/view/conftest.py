"""Files to view and project folders, made of real model files nobody here wrote: the jNeuroML
examples (from the pyNeuroML wheel), brian2's SWC morphology and the hemibrain meshes navis
ships (see tests/interpreters/conftest.py), laid out as users lay them out."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.interpreters.conftest import (  # noqa: F401 (fixtures)
    brian2_swc,
    navis_obj,
    navis_swc,
    nml_root,
    real_files,
)
from tests.interpreters.samples import HEAD, TAIL

# The Hodgkin-Huxley project of org.geppetto.samples, over jNeuroML's LEMS example: the project
# JSON as Gson reads it (unquoted keys, single quotes, a string value), its experiment recording
# the membrane potential and a gate of the one cell.
HH_PROJECT = """{
  id: 1,
  activeExperimentId: 1,
  name: "Hodgkin-Huxley Neuron",
  geppettoModel: { id: 1, url: "GeppettoModel.xmi", type: "GEPPETTO_PROJECT" },
  experiments: [
    {
      id: 1,
      name: 'Hodgkin-Huxley NEURON simulation',
      status: "DESIGN",
      description: "Action potentials of one cell",
      aspectConfigurations: [{
        instance: "hhcell",
        simulatorConfiguration: {
          id: 1, simulatorId: "neuronSimulator", conversionServiceId: "lemsConversion",
          timestep: 0.00005, length: 0.3, parameters: {target: "net1"}
        },
        watchedVariables: [
          "hhcell.hhpop[0].v",
          "hhcell.hhpop[0].bioPhys1.membraneProperties.naChans.naChan.m.q"
        ],
        modelParameters: [
          {id: 1, variable: "hhcell.hhpop[0].bioPhys1.membraneProperties.naChans.gDensity",
           value: "1200.0"}
        ]
      }]
    },
    { id: 2, name: "Short run", status: "DESIGN", aspectConfigurations: [{
        instance: "hhcell",
        simulatorConfiguration: {id: 2, simulatorId: "jLemsSimulator", timestep: 0.00001,
                                 length: 0.05},
        watchedVariables: ["hhcell.hhpop[0].v"] }] }
  ]
}
"""
HH_XMI = """  <variables id="hhcell" name="Hodgkin-Huxley Cell" types="//@libraries.0/@types.0"/>
  <libraries id="neuroml" name="NeuroML">
    <types xsi:type="gep_1:ImportType" id="net1" url="{url}"
        modelInterpreterId="{interpreter}"/>
  </libraries>
"""
HH_LEMS = "LEMS_NML2_Ex5_DetCell.xml"


def copy_examples(jneuroml: Path, folder: Path) -> Path:
    """jNeuroML's examples/ and LEMSexamples/ (with the core types) under `folder`."""
    for name in ("examples", "LEMSexamples", "NeuroML2CoreTypes"):
        shutil.copytree(jneuroml / name, folder / name, dirs_exist_ok=True)
    return folder


def hh_project(
    folder: Path,
    *,
    url: str = f"../LEMSexamples/{HH_LEMS}",
    interpreter: str = "lemsModelInterpreter",
    text: str = HH_PROJECT,
) -> Path:
    """`folder/GEPPETTO.json` and its XMI, the model an ImportType of `interpreter` at `url`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "GeppettoModel.xmi").write_text(
        HEAD + HH_XMI.format(url=url, interpreter=interpreter) + TAIL
    )
    path = folder / "GEPPETTO.json"
    path.write_text(text)
    return path


@pytest.fixture
def project_folder(tmp_path: Path, nml_root: Path) -> Path:  # noqa: F811
    """A project folder whose `projects/` holds jNeuroML's examples and the HH project."""
    projects = copy_examples(nml_root, tmp_path / "project" / "projects")
    hh_project(projects / "HH")
    return tmp_path / "project"


def collada_triangles(source: Path, target: Path) -> Path:
    """A copy of a Collada file with its <tristrips> as <triangles> (three.js draws only the
    latter): each strip of n vertices is n - 2 triangles, every other one turned round."""
    text = source.read_text()

    def triangles(block: re.Match[str]) -> str:
        inputs = re.findall(r"<input [^>]*/>", block.group(2))
        width = 1 + max(int(i) for i in re.findall(r'offset="(\d+)"', block.group(2)))
        out: list[str] = []
        count = 0
        for strip in re.findall(r"<p>([^<]*)</p>", block.group(2)):
            numbers = strip.split()
            vertices = [numbers[i : i + width] for i in range(0, len(numbers), width)]
            for k in range(len(vertices) - 2):
                a, b, c = vertices[k : k + 3]
                out += [*a, *b, *c] if k % 2 == 0 else [*b, *a, *c]
                count += 1
        return (
            f'<triangles count="{count}"{block.group(1)}>'
            + "".join(inputs)
            + f"<p>{' '.join(out)}</p></triangles>"
        )

    converted = re.sub(
        r'<tristrips count="\d+"([^>]*)>(.*?)</tristrips>', triangles, text, flags=re.S
    )
    target.write_text(converted)
    return target
