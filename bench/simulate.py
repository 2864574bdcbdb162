"""One NeuroML cell simulated by NEURON two ways, measured in one run.

  plain       a hand-written NEURON script (the same cell with NEURON's built-in `hh`), run as
              a fresh `python` process, as a user would run it: interpreter, import, build, run
              (at the pool workers' priority, so both sides share a busy machine alike);
  geppetto    the NeuroML file through geppetto-dev's simulator path: a job submitted to the
              local process pool, which runs it in a fresh process (read the NeuroML, define
              the channels with KSChan, build, run, record by Geppetto path, return SI series).

The overhead is geppetto minus plain (medians). Then a batch: N runs submitted to the pool at
once against the same N runs one after another, through the same path.

    python bench/simulate.py [--repeat 5] [--batch 20] [--length 0.3] [--step 2.5e-5]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.served_runs import measure as measure_served  # noqa: E402
from geppetto_dev.executors import LocalExecutor  # noqa: E402
from geppetto_dev.executors.local import lower_priority  # noqa: E402
from geppetto_dev.simulators import SimulationJob, default_simulators, run_isolated  # noqa: E402
from geppetto_dev.simulators.jneuroml import find_jar  # noqa: E402

MODEL = "examples/NML2_SingleCompHHCell.nml"
LEMS = "LEMSexamples/LEMS_NML2_Ex5_DetCell.xml"  # a simulation of MODEL
PATH = "net1.hhpop[0].v"

# The same cell as NML2_SingleCompHHCell.nml, written by hand for NEURON's built-in hh
# (1000 um2, 1 uF/cm2, HH conductances, 0.08 nA from 100 ms for 100 ms).
PLAIN = """
import os, pickle, sys, time
os.environ["NEURON_MODULE_OPTIONS"] = "-nogui"
from neuron import h
h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
soma.L = soma.diam = 17.841242
soma.cm = 1.0
soma.insert("hh")
for seg in soma:
    seg.hh.gnabar, seg.hh.gkbar, seg.hh.gl, seg.hh.el = 0.12, 0.036, 0.0003, -54.3
soma.ena, soma.ek = 50.0, -77.0
clamp = h.IClamp(soma(0.5))
clamp.delay, clamp.dur, clamp.amp = 100.0, 100.0, 0.08
dt, tstop = float(sys.argv[1]) * 1e3, float(sys.argv[2]) * 1e3
h.dt, h.steps_per_ms, h.tstop = dt, 1.0 / dt, tstop
t, v = h.Vector().record(h._ref_t), h.Vector().record(soma(0.5)._ref_v)
start = time.perf_counter()
h.finitialize(-65.0)
h.continuerun(tstop)
sim = time.perf_counter() - start
out = os.fdopen(os.dup(1), "wb")
pickle.dump((sim, [x * 1e-3 for x in t], [x * 1e-3 for x in v]), out)
"""


def spikes(v: list[float]) -> int:
    return sum(1 for a, b in itertools.pairwise(v) if a < 0.0 <= b)


def plain_run(step: float, length: float) -> tuple[float, float, int]:
    """(wall seconds, NEURON's own seconds, spikes) of the hand-written script."""
    start = time.perf_counter()
    # At the pool workers' priority (SCHED_IDLE on Linux), so both sides share the machine alike.
    out = subprocess.run(
        [sys.executable, "-c", PLAIN, str(step), str(length)],
        capture_output=True,
        check=True,
        preexec_fn=functools.partial(lower_priority, 10),
    ).stdout
    wall = time.perf_counter() - start
    sim, _, v = pickle.loads(out)
    return wall, sim, spikes(v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--length", type=float, default=0.3)
    parser.add_argument("--step", type=float, default=2.5e-5)
    args = parser.parse_args()
    jar = find_jar()
    if jar is None:
        sys.exit("needs pyneuroml (its jar holds the NeuroML example): pip install pyneuroml")
    folder = Path(tempfile.mkdtemp(prefix="bench-simulate-"))
    with zipfile.ZipFile(jar) as z:  # the cell, and the LEMS file the served run views
        for name in (MODEL, LEMS):
            (folder / name).parent.mkdir(exist_ok=True)
            (folder / name).write_bytes(z.read(name))
    neuron = default_simulators().get("neuronSimulator")
    job = SimulationJob(
        str(folder / MODEL), str(folder), watched=(PATH,), timestep=args.step, length=args.length
    )
    samples = round(args.length / args.step) + 1
    print(f"model: {MODEL}, {args.length * 1e3:g} ms at {args.step * 1e6:g} us ({samples} samples)")

    executor = LocalExecutor(None)
    try:
        # Start the pool's workers (they stay warm, each preloads NEURON on its first run).
        for future in [executor.submit(run_isolated, neuron, job) for _ in range(4)]:
            future.result()
        plain, ours, nrn_time = [], [], []
        for _ in range(args.repeat):
            wall, sim, plain_spikes = plain_run(args.step, args.length)
            plain.append(wall)
            nrn_time.append(sim)
            start = time.perf_counter()
            results = executor.submit(run_isolated, neuron, job).result()
            ours.append(time.perf_counter() - start)
            assert len(results[PATH].value) == samples
        our_spikes = spikes(results[PATH].value)
        p, g, n = statistics.median(plain), statistics.median(ours), statistics.median(nrn_time)
        print(
            f"plain NEURON script: {p:.3f} s per run (NEURON's own run {n:.3f} s), "
            f"{plain_spikes} spikes"
        )
        print(
            f"geppetto-dev:        {g:.3f} s per run (job -> pool -> results), {our_spikes} spikes"
        )
        print(f"vs the plain script: {g - p:+.3f} s per run ({g / p:.2f}x)")
        print(f"overhead beyond NEURON's own run: {g - n:.3f} s per run (goal < 0.3 s)")

        start = time.perf_counter()
        for _ in range(args.batch):
            executor.submit(run_isolated, neuron, job).result()
        one_by_one = time.perf_counter() - start
        start = time.perf_counter()
        futures = [executor.submit(run_isolated, neuron, job) for _ in range(args.batch)]
        for future in futures:
            future.result()
        batch = time.perf_counter() - start
        print(
            f"{args.batch} runs one after another: {one_by_one:.2f} s; "
            f"as a batch on {executor.max_workers} workers: {batch:.2f} s "
            f"= {batch / one_by_one:.2f}x (goal <= 0.6x)"
        )
    finally:
        executor.shutdown()

    print("served: geppetto-dev view, a WebSocket client (the same cell, step and length)")
    got = measure_served(folder, args)
    print(
        f"request to COMPLETED: {got['to_completed']:.3f} s per run; to the values in the "
        f"client: {got['to_values']:.3f} s"
    )
    print(
        f"vs the plain script: {got['to_values'] - p:+.3f} s per run; beyond NEURON's own run: "
        f"{got['to_values'] - n:.3f} s (goal < 0.3 s)"
    )
    print(
        f"another connection's round trip: idle {got['rtt_idle'] * 1e3:.2f} ms, while "
        f"{args.batch} NEURON runs go {got['rtt_busy'] * 1e3:.2f} ms "
        f"= {got['rtt_busy'] / got['rtt_idle']:.2f}x (goal <= 2x; "
        f"{got['rtt_busy_samples']:.0f} samples)"
    )
    print(
        f"{args.batch} experiments one after another: {got['one_by_one']:.2f} s; as a batch: "
        f"{got['batch']:.2f} s = {got['batch'] / got['one_by_one']:.2f}x (goal <= 0.6x)"
    )


if __name__ == "__main__":
    main()
