"""A 10k-segment NeuroML cell, from `load_project_from_id` to the last frame of
`geppetto_model_loaded`, against a real `geppetto-dev` process; libNeuroML reading the same
file in the same run, for scale.

Three ways the file is served, each a fresh server process:
- `view cell.nml`: the file is read when the server starts (to check it); a load serialises.
- `serve` with the cell in the project files folder, as a Java project (GEPPETTO.json + XMI
  naming it): nothing is read before the first load, which reads, builds and serialises.
- later loads of either: the model is built; each connection gets its own serialisation.
The clock starts when the request is written and stops when the client holds the
`geppetto_model_loaded` frame (the client's own parsing is not counted). libNeuroML's
`read_neuroml2_file(includes on)` runs in a subprocess of its own: reading only, no model.

    python bench/view_load.py                 # 10,000 segments, 3 servers x 5 loads per case
    python bench/view_load.py --segments 2000 --loads 3 --runs 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from interpreters import write_cell  # noqa: E402 (bench/interpreters.py, beside this file)

from geppetto_dev.projects.file_projects import file_project_id  # noqa: E402
from geppetto_dev.protocol import read_frame  # noqa: E402

WS = "/org.geppetto.frontend/GeppettoServlet"
XMI = """<?xml version="1.0" encoding="ASCII"?>
<gep:GeppettoModel xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:gep="https://raw.githubusercontent.com/openworm/org.geppetto.model/development/src/main/resources/geppettoModel.ecore"
    xmlns:gep_1="https://raw.githubusercontent.com/openworm/org.geppetto.model/development/src/main/resources/geppettoModel.ecore#//types">
  <variables id="cell" name="Big cell" types="//@libraries.0/@types.0"/>
  <libraries id="neuroml" name="NeuroML">
    <types xsi:type="gep_1:ImportType" id="big" url="../cell.nml"
        modelInterpreterId="neuroMLModelInterpreter"/>
  </libraries>
</gep:GeppettoModel>
"""
PROJECT = '{id: 1, name: "Big cell", geppettoModel: {id: 1, url: "model.xmi"}, experiments: []}'


class Process:
    """`python -m geppetto_dev ARGS` until it prints its banner."""

    def __init__(self, folder: Path, *args: str) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "GEPPETTO_DEV_CACHE_DIR": str(folder / "cache"),
            "GEPPETTO_DEV_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "GEPPETTO_DEV_INSPECTOR": "false",
            "DISPLAY": "",
        }
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "geppetto_dev", *args, "--port", "0"],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            found = re.search(r"Serving Geppetto on (http://\S+?)/? ", line)
            if found:
                self.url = found.group(1).replace("http://", "ws://") + WS
                self.startup = time.perf_counter() - self.started
                return
        raise RuntimeError(f"{' '.join(args)} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def load(url: str, project_id: int) -> tuple[float, int]:
    """Seconds from the request to the geppetto_model_loaded frame, and its bytes."""
    conn = await websocket_connect(url, max_message_size=1 << 30)
    await conn.read_message()
    await conn.read_message()  # client_id, user_privileges
    start = time.perf_counter()
    request = {"requestID": "b-1", "type": "load_project_from_id", "data": str(project_id)}
    await conn.write_message(json.dumps(request))
    frames = [await conn.read_message() for _ in range(2)]
    elapsed = time.perf_counter() - start  # the frames are here: their parsing is the client's
    conn.close()
    kinds = [read_frame(f)["type"] for f in frames if f is not None]  # type: ignore[index]
    assert kinds == ["project_loaded", "geppetto_model_loaded"], kinds
    return elapsed, len(frames[1] or "")


def measure(process: Process, project_id: int, loads: int) -> tuple[float, list[float], int]:
    times, size = [], 0
    for _ in range(loads):
        elapsed, size = asyncio.run(load(process.url, project_id))
        times.append(elapsed)
    process.stop()
    return times[0], times[1:], size


def libneuroml(path: Path, repeats: int) -> float | None:
    code = (
        "import sys, time\n"
        "from neuroml.loaders import read_neuroml2_file\n"
        "best = min((lambda t: (read_neuroml2_file(sys.argv[1], include_includes=True),"
        " time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(int(sys.argv[2])))\n"
        "print(best)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), str(repeats)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return None  # libNeuroML is in the bench extra
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=5, help="loads per server")
    parser.add_argument("--runs", type=int, default=3, help="servers started per case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cell = folder / "cell.nml"
        write_cell(cell, args.segments)
        mb = cell.stat().st_size / 1e6
        (folder / "pyproject.toml").write_text('[project]\nname = "bench"\n\n[tool.geppetto-dev]\n')
        project = folder / "projects" / "big" / "GEPPETTO.json"
        project.parent.mkdir(parents=True)
        (folder / "projects" / "cell.nml").write_bytes(cell.read_bytes())
        (project.parent / "model.xmi").write_text(XMI)
        project.write_text(PROJECT)

        view_first, cold_first, later, starts = [], [], [], []
        size = 0
        for _ in range(args.runs):  # fresh processes: each first load is a first load
            viewed = Process(folder, "view", "cell.nml", "--no-browser")
            first, rest, size = measure(viewed, file_project_id(cell), args.loads)
            view_first.append(first)
            later += rest
            served = Process(folder, "serve")
            first, rest, _ = measure(served, file_project_id(project), args.loads)
            cold_first.append(first)
            later += rest
            starts.append((viewed.startup, served.startup))
        lib = libneuroml(cell, args.runs)

    print(
        f"{args.segments}-segment cell ({size / 1e6:.1f} MB geppetto_model_loaded frame), "
        f"load_project_from_id -> geppetto_model_loaded received"
    )
    rows = [
        ("view: first load (the file read at start), best", min(view_first)),
        ("serve, project files folder: first load (reads it), best", min(cold_first)),
        ("later loads, median", statistics.median(later)),
    ]
    lib_text = f"{lib * 1000:.0f} ms" if lib is not None else "not installed (extra bench)"
    print(f"{'case':<58}{'ms':>8}{'vs libNeuroML reading':>24}")
    for name, seconds in rows:
        ratio = f"{lib / seconds:.1f}x faster" if lib is not None else "-"
        print(f"{name:<58}{seconds * 1000:>8.0f}{ratio:>24}")
    print(f"libNeuroML read_neuroml2_file of the {mb:.1f} MB file, best of {args.runs}: {lib_text}")
    view_start, serve_start = min(s[0] for s in starts), min(s[1] for s in starts)
    startup = f"view in {view_start:.2f} s (it reads the file), serve in {serve_start:.2f} s"
    print(
        f"Started (best): {startup}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
