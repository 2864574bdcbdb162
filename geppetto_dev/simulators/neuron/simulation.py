"""Build a NeuroML network in this process's NEURON, run it, return {path: TimeSeries}.

Called in a fresh process (see `simulators.isolation`): NEURON's state is global, so this
module builds into whatever `h` holds and never cleans up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from geppetto_dev.executors.control import report_progress
from geppetto_dev.interpreters.neuroml import units
from geppetto_dev.interpreters.neuroml.document import Network, NeuroMLDocument
from geppetto_dev.model import TimeSeries
from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.simulators.neuron.channels import define
from geppetto_dev.simulators.neuron.gates import UnsupportedChannel, channel_of
from geppetto_dev.simulators.neuron.mechanisms import Mechanism
from geppetto_dev.simulators.neuron.network import build_network
from geppetto_dev.simulators.neuron.recording import probe

__all__ = ["CompileChannels", "choose_network", "simulate"]

# A run is simulated in this many slices, its progress reported after each.
_SLICES = 100

# (channel ids) -> (folder of the compiled library, {channel id: its mechanism})
CompileChannels = Callable[[list[str]], tuple[Path, dict[str, Mechanism]]]


def choose_network(document: NeuroMLDocument, target: str, watched: Sequence[str] = ()) -> Network:
    """The network `target` names; else the one the watched paths start with (Geppetto's
    instance of a NeuroML file is its network); else the document's only network."""
    if target:
        network = document.networks.get(target)
        if network is None:
            known = ", ".join(document.networks) or "none"
            raise SimulationError(
                f"the model has no network {target!r} (networks: {known})",
                "set the experiment's target to one of them",
            )
        return network
    for path in watched:
        network = document.networks.get(path.split(".", 1)[0])
        if network is not None:
            return network
    if len(document.networks) == 1:
        return next(iter(document.networks.values()))
    if not document.networks:
        raise SimulationError(
            "the model has no <network> to simulate", "add a network with a population"
        )
    raise SimulationError(
        f"the model has several networks ({', '.join(document.networks)})",
        "set the experiment's target (its `target` parameter) to the one to run",
    )


def _neuron() -> Any:
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    try:
        from neuron import h
    except ImportError:
        raise SimulationError(
            "NEURON is not installed", "pip install 'geppetto-dev[neuron]'"
        ) from None
    h.load_file("stdrun.hoc")
    return h


def simulate(
    document: NeuroMLDocument,
    network: Network,
    watched: Sequence[str],
    timestep: float,
    length: float,
    compile_channels: CompileChannels | None = None,
) -> dict[str, TimeSeries]:
    """Run `network` for `length` seconds at `timestep` seconds; record `watched` paths.

    Channels KSChan cannot express go to `compile_channels` (jNeuroML's export and
    nrnivmodl) when given; else the first of them fails the run, named.
    """
    h = _neuron()
    temperature = units.si(network.temperature, "temperature") if network.temperature else None
    used = {
        d.ion_channel
        for c in document.cells.values()
        if c.biophysics
        for d in c.biophysics.membrane.channel_densities
    }
    used |= {
        p.get("ionChannel") or ""
        for c in document.abstract_cells.values()
        for p in c.children
        if p.type == "channelPopulation"
    }
    mechanisms: dict[str, Mechanism] = {}
    keep = []
    unsupported: list[UnsupportedChannel] = []
    for channel_id in sorted(used):
        ion_channel = document.ion_channels.get(channel_id)
        if ion_channel is None:
            continue  # reported by the cell that names it, if it is simulated
        try:
            channel = channel_of(ion_channel, temperature)
        except UnsupportedChannel as exc:
            unsupported.append(exc)
            continue
        ks = define(h, channel)
        ks.usetable(0)  # exact rate functions (NEURON's default table is 200 points)
        keep.append(ks)
        mechanisms[channel_id] = Mechanism(channel.name)
    if unsupported:
        if compile_channels is None:
            raise unsupported[0]
        try:
            folder, compiled = compile_channels([e.channel for e in unsupported])
        except SimulationError as exc:
            first = unsupported[0]
            raise SimulationError(
                f"{first.message}; jNeuroML's NEURON export did not make it runnable either: "
                f"{exc.message}",
                first.hint,
            ) from None
        if not h.nrn_load_dll(str(_library_file(folder))):
            raise SimulationError(f"NEURON could not load the compiled channels in {folder}", "")
        mechanisms.update(compiled)
    if temperature is not None:
        h.celsius = temperature - 273.15
    built = build_network(h, document, network, mechanisms)
    probes = [probe(built, path) for path in watched]

    def set_initial_potentials() -> None:
        for cells in built.cells.values():
            for cell in cells.values():
                for segment, sec in cell.sections.items():
                    for x in sec:
                        x.v = cell.v0.get(segment, -65.0)

    def queue_events() -> None:
        for netcon, times in built.events:
            for t in times:
                netcon.event(t)

    handlers = [
        h.FInitializeHandler(0, set_initial_potentials),
        h.FInitializeHandler(1, queue_events),
    ]
    dt_ms, tstop = timestep * 1e3, length * 1e3
    h.dt = dt_ms
    h.steps_per_ms = 1.0 / dt_ms
    h.tstop = tstop
    # Every step is a sample: length / timestep + 1 of them, time 0 included.
    time_vector = h.Vector().record(h._ref_t)
    vectors = [h.Vector().record(p.pointer) for p in probes]
    h.finitialize()
    _run_reporting(h, tstop)
    del handlers, keep
    time_vector.mul(1e-3)
    results: dict[str, TimeSeries] = {"time": TimeSeries(time_vector.to_python(), "s")}
    for p, vector in zip(probes, vectors, strict=True):
        results[p.path] = TimeSeries(p.values(vector), p.unit or None)
    return results


def _run_reporting(h: Any, tstop: float) -> None:
    """`continuerun(tstop)` in slices, telling the server the simulated time after each (a
    hundred slices cost a few milliseconds more than one call)."""
    piece = tstop / _SLICES
    for i in range(1, _SLICES + 1):
        h.continuerun(tstop if i == _SLICES else i * piece)
        report_progress(h.t * 1e-3, tstop * 1e-3, force=i == _SLICES)


def _library_file(folder: Path) -> Path:
    found = sorted(folder.glob("*/.libs/libnrnmech.so")) or sorted(folder.glob("*/libnrnmech.so"))
    if not found:
        raise SimulationError(f"no compiled library in {folder}", "delete the folder to rebuild it")
    return found[0]
