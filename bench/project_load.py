"""A 10k-cylinder project loaded over a real WebSocket: request -> last frame received.

Measures `load_project_from_id` against a real server on loopback: the default handlers build
the model (first load), serialise it, encode and gzip the four replies in a worker thread and
send them; the clock stops when the client has the last of them (experiment_loaded). The same
project built with pygeppetto 0.9.1 goes through the same handlers in the same run (the first
load of each builds its model; later loads of the shared geppetto-dev model only serialise it,
pygeppetto builds a copy per connection every time).

    python bench/project_load.py               # 10k cylinders, 5 loads each
    python bench/project_load.py --cylinders 1000 --loads 3 --no-pygeppetto
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.websocket import websocket_connect

from geppetto_dev import model as gm
from geppetto_dev.application import GeppettoApp
from geppetto_dev.config import Settings
from geppetto_dev.projects import Experiment, Project, project
from geppetto_dev.protocol import read_frame
from geppetto_dev.server.stack import make_app

TYPES = 20


def gd_model(n: int) -> gm.GeppettoModel:
    m = gm.GeppettoModel("bench")
    lib = m.add_library("bench")
    for t in range(TYPES):
        cylinders = [
            gm.cylinder(f"sec{i}", 1.0, 0.5, (i, t, 0), (i + 1, t, 0)) for i in range(n // TYPES)
        ]
        morph = lib.add(gm.CompositeVisualType(f"morph{t}", variables=cylinders))
        cell = lib.add(
            gm.CompositeType(f"cell{t}", variables=[gm.state_variable("v")], visual_type=morph)
        )
        m.add_variable(gm.Variable(f"cell{t}", cell))
    return m


def pg_model(n: int) -> Any:
    from pygeppetto.model import GeppettoLibrary, types, values, variables
    from pygeppetto.model.model_factory import GeppettoModelFactory

    m = GeppettoModelFactory.createGeppettoModel("bench")
    f = GeppettoModelFactory(m.libraries[0])
    lib = GeppettoLibrary(id="bench", name="bench")
    m.libraries.append(lib)
    for t in range(TYPES):
        morph = types.CompositeVisualType(id=f"morph{t}", name=f"morph{t}")
        for i in range(n // TYPES):
            proximal = values.Point(x=float(i), y=float(t), z=0.0)
            distal = values.Point(x=float(i + 1), y=float(t), z=0.0)
            morph.variables.append(f.create_cylinder(f"sec{i}", 1.0, 0.5, proximal, distal))
        lib.types.append(morph)
        cell = types.CompositeType(id=f"cell{t}", name=f"cell{t}", visualType=morph)
        cell.variables.append(f.create_state_variable("v"))
        lib.types.append(cell)
        m.variables.append(variables.Variable(id=f"cell{t}", name=f"cell{t}", types=[cell]))
    return m


class Server:
    def __init__(self, projects: list[Project], database: str) -> None:
        self.app = GeppettoApp(
            Settings(inspector=False, database_url=database),
            flask_app=Flask("bench"),
            projects=projects,
        )
        self.app.start()
        self.sockets = bind_sockets(0, "127.0.0.1")
        self.port = self.sockets[0].getsockname()[1]
        self.ready = threading.Event()
        threading.Thread(target=lambda: asyncio.run(self.main()), daemon=True).start()
        self.ready.wait(10)

    async def main(self) -> None:
        app = make_app(self.app)
        HTTPServer(app).add_sockets(self.sockets)
        self.ready.set()
        await asyncio.Event().wait()


async def load(url: str, project_id: int) -> tuple[float, int]:
    conn = await websocket_connect(url)
    await conn.read_message()
    await conn.read_message()  # client_id, user_privileges
    start = time.perf_counter()
    await conn.write_message(
        json.dumps({"requestID": "b-1", "type": "load_project_from_id", "data": str(project_id)})
    )
    frames = [await conn.read_message() for _ in range(4)]
    elapsed = time.perf_counter() - start  # the server's part: the client's parsing is not
    wire = 0
    for frame in frames:
        assert frame is not None
        wire += len(frame)
        message = read_frame(frame)
        assert isinstance(message, dict) and message["requestID"] == "b-1", message
    conn.close()
    return elapsed, wire


def measure(server: Server, project_id: int, loads: int) -> tuple[float, list[float], int]:
    url = f"ws://127.0.0.1:{server.port}/org.geppetto.frontend/GeppettoServlet"
    times = []
    wire = 0
    for _ in range(loads):
        elapsed, wire = asyncio.run(load(url, project_id))
        times.append(elapsed)
    return times[0], times[1:], wire


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cylinders", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--no-pygeppetto", action="store_true")
    args = parser.parse_args()
    n = args.cylinders
    experiments = [Experiment(1, "run", watched=["cell0.v"])]
    projects = [project(id=801, name="bench_gd", experiments=experiments)(lambda: gd_model(n))]
    if not args.no_pygeppetto:
        projects.append(
            project(id=802, name="bench_pg", experiments=experiments)(lambda: pg_model(n))
        )
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(projects, f"sqlite:///{tmp}/bench.sqlite3")
        rows = [("geppetto-dev", *measure(server, 801, args.loads))]
        if not args.no_pygeppetto:
            rows.append(("pygeppetto", *measure(server, 802, max(2, args.loads // 2))))
        server.app.close()
    print(f"load_project_from_id of a {n}-cylinder project, request -> last of 4 frames")
    header = ("model", "first load ms", "later median ms", "wire bytes", "vs pygeppetto")
    print(f"{header[0]:<14}{header[1]:>14}{header[2]:>17}{header[3]:>12}{header[4]:>15}")
    base = rows[-1]
    for name, first, later, wire in rows:
        median = statistics.median(later) if later else first
        base_median = statistics.median(base[2]) if base[2] else base[1]
        ratio = f"{median / base_median:.3f}x" if not args.no_pygeppetto else "-"
        print(f"{name:<14}{first * 1000:>14.0f}{median * 1000:>17.0f}{wire:>12}{ratio:>15}")


if __name__ == "__main__":
    main()
