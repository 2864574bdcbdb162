"""jNeuroML, the NeuroML reference simulator, run as `java -jar` on the jar pyNeuroML ships.

It is the reference the NEURON builder is checked against, and a simulator in its own right
(`jneuromlSimulator`): it runs every NeuroML and LEMS construct, point neurons included, where
Java is installed. The LEMS file is never run in place: a copy in a temporary folder has its
includes made absolute, the experiment's step and length, and one output file with the
recorded quantities, so nothing is written beside the user's model. NeuroML core type
includes (`Cells.xml`, or the same by URL) are left to the copies inside the jar; nothing is
fetched.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geppetto_dev.simulators.job import SimulationError, SimulationJob

__all__ = ["JNeuroMLSimulator", "find_jar", "prepare", "run_job", "run_lems"]

INSTALL = "pip install pyneuroml (it ships jNeuroML) and install a Java runtime (JRE 11 or later)"
_OUTPUT_ID = "geppetto_recording"
_CORE_TYPES = {
    "Cells.xml",
    "Channels.xml",
    "Inputs.xml",
    "Networks.xml",
    "NeuroML2CoreTypes.xml",
    "NeuroMLCoreCompTypes.xml",
    "NeuroMLCoreDimensions.xml",
    "PyNN.xml",
    "Simulation.xml",
    "Synapses.xml",
}


def find_jar() -> Path | None:
    """The jNeuroML jar inside the installed pyNeuroML package, if any."""
    spec = importlib.util.find_spec("pyneuroml")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        jars = sorted(Path(folder, "lib").glob("jNeuroML-*-jar-with-dependencies.jar"))
        if jars:
            return jars[-1]
    return None


def _time(value: float) -> str:
    return f"{value * 1e3!r}ms"


def prepare(
    lems: Path,
    folder: Path,
    *,
    quantities: Sequence[str],
    step: float | None,
    length: float | None,
) -> tuple[Path, Path]:
    """A runnable copy of `lems` in `folder`: (the copy, the .dat file it will write)."""
    tree = ET.parse(lems)
    root = tree.getroot()
    for include in root.iter("Include"):
        href = include.get("file") or include.get("url") or include.get("href") or ""
        name = href.rsplit("/", 1)[-1]
        for key in ("url", "href"):
            include.attrib.pop(key, None)
        if name in _CORE_TYPES:
            include.set("file", name)
        elif "://" in href:
            raise SimulationError(
                f"{lems}: includes a remote file ({href})",
                "download it next to the LEMS file and include it by a relative path",
            )
        else:
            include.set("file", str((lems.parent / href).resolve()))
    target = root.find("Target")
    if target is None:
        raise SimulationError(f"{lems}: no <Target> simulation", "add <Target component=...>")
    target.attrib.pop("reportFile", None)
    simulation = next(
        (s for s in root.iter("Simulation") if s.get("id") == target.get("component")), None
    )
    if simulation is None:
        raise SimulationError(
            f"{lems}: no <Simulation id={target.get('component')!r}>", "fix the <Target>"
        )
    if step is not None:
        simulation.set("step", _time(step))
    if length is not None:
        simulation.set("length", _time(length))
    for child in list(simulation):
        if child.tag in ("Display", "OutputFile", "EventOutputFile"):
            simulation.remove(child)
    output = folder / "recording.dat"
    out = ET.SubElement(simulation, "OutputFile", id=_OUTPUT_ID, fileName=str(output))
    for i, quantity in enumerate(quantities):
        ET.SubElement(out, "OutputColumn", id=f"c{i}", quantity=quantity)
    copy = folder / lems.name
    tree.write(copy, encoding="unicode")
    return copy, output


def run_lems(
    lems: str | Path,
    quantities: Sequence[str],
    *,
    step: float | None = None,
    length: float | None = None,
    timeout: float | None = None,
) -> dict[str, list[float]]:
    """Run a LEMS file with jNeuroML: {"time": seconds, quantity: SI values}."""
    jar = find_jar()
    java = shutil.which("java")
    if jar is None or java is None:
        raise SimulationError("jNeuroML cannot run here", INSTALL)
    with tempfile.TemporaryDirectory(prefix="geppetto-jnml-") as tmp:
        copy, output = prepare(
            Path(lems).resolve(), Path(tmp), quantities=quantities, step=step, length=length
        )
        proc = subprocess.run(
            [java, "-Djava.awt.headless=true", "-jar", str(jar), str(copy), "-nogui"],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0 or not output.exists():
            lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
            detail = "\n".join(lines[-8:])
            raise SimulationError(f"jNeuroML could not run {lems}:\n{detail}", "")
        columns: list[list[float]] = [[] for _ in range(len(quantities) + 1)]
        with output.open() as rows:
            for row in rows:
                for column, text in zip(columns, row.split(), strict=True):
                    column.append(float(text))
    return dict(zip(["time", *quantities], columns, strict=True))


@dataclass(frozen=True)
class JNeuroMLSimulator:
    """The Java server's `jneuromlSimulator`: LEMS files run by jNeuroML."""

    id: str = "jneuromlSimulator"

    def available(self) -> str | None:
        return None if find_jar() is not None and shutil.which("java") else INSTALL

    def run(self, job: SimulationJob) -> Mapping[str, Any]:
        return run_job(job)


def run_job(job: SimulationJob) -> dict[str, Any]:
    """A job run by jNeuroML: a LEMS file, with the job's settings where it gives them."""
    from geppetto_dev.interpreters.base import InterpreterError
    from geppetto_dev.interpreters.lems_paths import PathError, lems_quantity_of
    from geppetto_dev.model import TimeSeries
    from geppetto_dev.simulators.models import read_job_model

    try:
        model = read_job_model(job)
    except InterpreterError as exc:
        raise SimulationError(exc.message, exc.hint) from None
    if not model.is_lems:
        raise SimulationError(
            f"{job.model} is not a LEMS simulation file",
            "jneuromlSimulator runs LEMS files (LEMS_*.xml); neuronSimulator runs NeuroML too",
        )
    if job.parameters:
        raise SimulationError(
            f"jNeuroML runs {job.model} as written: it cannot apply the experiment's model "
            f"parameters ({', '.join(job.parameters)})",
            "run the experiment with neuronSimulator, which applies them, or clear them",
        )
    watched = job.watched or model.recorded
    try:
        quantities = [lems_quantity_of(p, model.document, model.target) for p in watched]
    except PathError as exc:
        raise SimulationError(str(exc), "watch net.pop[i].v or a gate's .q") from None
    columns = run_lems(model.source.path, quantities, step=job.timestep, length=job.length)
    results: dict[str, Any] = {"time": TimeSeries(columns["time"], "s")}
    for path, quantity in zip(watched, quantities, strict=True):
        results[path] = TimeSeries(columns[quantity], "V" if path.endswith(".v") else None)
    return results
