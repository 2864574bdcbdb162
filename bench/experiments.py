"""50 short simulations submitted at once: where they run, how long they take, and what the
WebSocket feels meanwhile.

Three setups, each a real `geppetto-dev serve` process on its own SQLite file, measured in
one run:
  inline   the simulations one after another in the server process (a handler that runs them,
           as a backend without an executor does);
  local    run_experiment x N on the default executor, a local process pool;
  dask     run_experiment x N on a Dask LocalCluster of 2 worker processes.
While they run, a second connection sends geppetto_version every 20 ms; its round trip is
compared with the same connection's idle round trip (as many samples, so the p99s compare).

    python bench/experiments.py [--runs 50] [--sim 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tornado.websocket import websocket_connect  # noqa: E402

PROJECT = '''
import time
from geppetto_dev import handler, model as gm
from geppetto_dev.projects import project


def build():
    m = gm.GeppettoModel("bench", name="Bench")
    lib = m.add_library("bench")
    cell = lib.add(gm.CompositeType("cell", variables=[gm.state_variable("v")]))
    m.add_variable(gm.Variable("cell", cell))
    return m


bench = project(id=7, name="bench", experiments=[])(build)


@bench.run
def simulate(request=None):
    """CPU-bound work, as a simulator step loop is."""
    end = time.perf_counter() + SIM_S
    x = 0
    while time.perf_counter() < end:
        x += 1
    return {"cell.v": [float(x % 7), 1.0, 2.0]}


@handler("bench_inline")
def inline(conn, data):
    start = time.perf_counter()
    done = []
    for _ in range(int(data["n"])):
        simulate()
        done.append(time.perf_counter() - start)
    return {"bench_inline": done}
'''


CLUSTER = """
import os, time
from distributed import LocalCluster
os.nice(10)
with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
    print(cluster.scheduler_address, flush=True)
    while True:
        time.sleep(1)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Link:
    """One WebSocket connection, requests answered in order."""

    def __init__(self, port: int) -> None:
        self.url = f"ws://127.0.0.1:{port}/org.geppetto.frontend/GeppettoServlet"
        self.n = 0

    async def open(self) -> Link:
        self.conn = await websocket_connect(self.url)
        await self.conn.read_message()  # client_id
        await self.conn.read_message()  # user_privileges
        return self

    async def ask(self, kind: str, data: Any, replies: int = 1) -> list[dict[str, Any]]:
        self.n += 1
        rid = f"b-{self.n}"
        payload = data if isinstance(data, str) else json.dumps(data)
        await self.conn.write_message(json.dumps({"requestID": rid, "type": kind, "data": payload}))
        out = []
        while len(out) < replies:
            raw = await self.conn.read_message()
            if isinstance(raw, str):
                out.append(json.loads(raw))
        return out


async def ping_until(link: Link, stop: asyncio.Event, out: list[float]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await link.ask("geppetto_version", {})
        out.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.02)


async def idle_rtt(link: Link, count: int = 300) -> list[float]:
    out: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        await link.ask("geppetto_version", {})
        out.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.02)
    return out


async def measure(mode: str, port: int, db: Path, runs: int) -> dict[str, Any]:
    pinger, driver = await Link(port).open(), await Link(port).open()
    idle = await idle_rtt(pinger)
    busy: list[float] = []
    stop = asyncio.Event()
    if mode == "inline":
        ping = asyncio.ensure_future(ping_until(pinger, stop, busy))
        start = time.perf_counter()
        (reply,) = await driver.ask("bench_inline", {"n": runs})
        wall = time.perf_counter() - start
        latencies = [t * 1000 for t in json.loads(reply["data"])["bench_inline"]]
    else:
        await driver.ask("load_project_from_id", {"projectId": 7}, 2)
        for _ in range(runs):
            await driver.ask("new_experiment", {"projectId": 7})
        ping = asyncio.ensure_future(ping_until(pinger, stop, busy))
        start = time.perf_counter()
        for experiment in range(1, runs + 1):
            msg = {"projectId": 7, "experimentId": experiment}
            await driver.conn.write_message(
                json.dumps({"requestID": None, "type": "run_experiment", "data": json.dumps(msg)})
            )
        query = "SELECT submitted_at, finished_at FROM geppetto_experiments WHERE status = ?"
        while True:
            with sqlite3.connect(db) as conn:
                rows = conn.execute(query, ("COMPLETED",)).fetchall()
            if len(rows) == runs:
                break
            await asyncio.sleep(0.05)
        wall = time.perf_counter() - start
        latencies = [float(done - submitted) for submitted, done in rows]
    stop.set()
    await ping
    return {"mode": mode, "wall": wall, "latencies": latencies, "idle": idle, "busy": busy}


def run_mode(mode: str, project: Path, runs: int, cluster: str | None) -> dict[str, Any]:
    port = free_port()
    db = project / f"{mode}.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
    env |= {"PYTHONPATH": f"{project}{os.pathsep}{ROOT}", "PYTHONUNBUFFERED": "1"}
    env["GEPPETTO_DEV_DATABASE_URL"] = f"sqlite:///{db}"
    if cluster:
        env["GEPPETTO_DEV_EXPERIMENT_CLUSTER"] = cluster
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev", "serve", "--port", str(port)],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for _ in range(2):
            proc.stdout.readline()
        return asyncio.run(measure(mode, port, db, runs))
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sim", type=float, default=0.2, help="seconds of CPU per simulation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "bench_project.py").write_text(
            textwrap.dedent(PROJECT).replace("SIM_S", repr(args.sim))
        )
        (project / "pyproject.toml").write_text(
            '[tool.geppetto-dev]\nprojects = "bench_project"\nhandlers = "bench_project"\n'
        )
        sys.path.insert(0, str(project))
        os.environ["PYTHONPATH"] = f"{project}{os.pathsep}{ROOT}"
        results = [run_mode("inline", project, args.runs, None)]
        results.append(run_mode("local", project, args.runs, None))
        # The LocalCluster in a process of its own, its workers at nice 10 as the local pool's
        # (`nice dask worker ...` on a shared machine): the scheduler must not share this
        # process with the WebSocket client that measures.
        cluster = subprocess.Popen(
            [sys.executable, "-c", CLUSTER],
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert cluster.stdout is not None
            address = cluster.stdout.readline().strip()
            results.append(run_mode("dask", project, args.runs, address))
        finally:
            cluster.terminate()
            cluster.wait(30)
    base = results[0]["wall"]
    print(f"{args.runs} simulations of {args.sim} s CPU each, submitted at once")
    print(
        f"{'setup':<8} {'wall s':>7} {'vs inline':>9} {'done p50 ms':>11} {'p99 ms':>8} "
        f"{'ws idle p99':>11} {'ws busy p99':>11} {'busy/idle':>9}"
    )
    for r in results:
        idle99, busy99 = pct(r["idle"], 0.99), pct(r["busy"], 0.99) if r["busy"] else 0.0
        print(
            f"{r['mode']:<8} {r['wall']:>7.2f} {r['wall'] / base:>8.2f}x "
            f"{pct(r['latencies'], 0.5):>11.0f} {pct(r['latencies'], 0.99):>8.0f} "
            f"{idle99:>11.1f} {busy99:>11.1f} {busy99 / idle99:>8.1f}x"
        )


if __name__ == "__main__":
    main()
