"""Model files written as the Java Geppetto projects of org.geppetto.samples write them: the XMI
header of their models, a project JSON in the shape of SingleComponentHH's GEPPETTO.json, and
helpers that lay them out in a folder."""

from __future__ import annotations

from pathlib import Path

ECORE = "https://raw.githubusercontent.com/openworm/org.geppetto.model/development/src/main/resources/geppettoModel.ecore"
HEAD = f"""<?xml version="1.0" encoding="ASCII"?>
<gep:GeppettoModel
    xmi:version="2.0"
    xmlns:xmi="http://www.omg.org/XMI"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:gep="{ECORE}"
    xmlns:gep_1="{ECORE}#//types"
    xmlns:gep_2="{ECORE}#//values">
"""
TAIL = "</gep:GeppettoModel>\n"

SWC = "1 1 0 0 0 5 -1\n2 3 0 0 10 1 1\n3 3 0 10 10 0.5 2\n"


def xmi(folder: Path, body: str, name: str = "GeppettoModel.xmi") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEAD + body + TAIL)
    return path


# The shape of UsedInUnitTests/SingleComponentHH/GEPPETTO.json (unquoted keys, a string
# lastModified, the LEMS target in the simulator parameters), naming a local model.
GEPPETTO_JSON = """{
  id: 1,
  activeExperimentId: 1,
  name: "Hodgkin-Huxley Neuron",
  geppettoModel: {
    id: 1,
    url: "GeppettoModel.xmi",
    type: "GEPPETTO_PROJECT"
  },  experiments: [
  {
    id:1,
    name: "Hodgkin-Huxley NEURON simulation",
    status: "DESIGN",
    description : "The Hodgkin-Huxley model of how action potentials are initiated.",
    "lastModified":"1436102517799",
    script: "HH_Geppetto_Script.js",
    aspectConfigurations: [
      {
        "instance": "hhcell",
        simulatorConfiguration: {
          id: 1,
          simulatorId: "neuronSimulator",
          conversionServiceId: "lemsConversion",
          timestep: 0.00005,
          length: 0.3,
          parameters: {target: "net1"}
        },
        watchedVariables:["hhcell.swcPoint1.v",
          "hhcell.swcPoint2.v"
        ],
        modelParameters: [{id: 1, variable: "hhcell.swcPoint1.gbar", value: "0.2"}]
      }]
  },
  {
    id: 2, name: 'Completed run', status: 'COMPLETED', aspectConfigurations: []
  }]
}"""

MODEL_XMI = """  <variables id="hhcell" name="Hodgkin-Huxley Cell" types="//@libraries.0/@types.0"/>
  <libraries id="swc" name="SWC">
    <types xsi:type="gep_1:ImportType" id="net1" url="cell.swc" referenceURL=""
        modelInterpreterId="swcModelInterpreter"/>
  </libraries>
"""


def project(folder: Path, text: str = GEPPETTO_JSON, name: str = "GEPPETTO.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "GeppettoModel.xmi").write_text(HEAD + MODEL_XMI + TAIL)
    (folder / "cell.swc").write_text(SWC)
    path = folder / name
    path.write_text(text)
    return path
