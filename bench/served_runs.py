"""The served half of bench/simulate.py: the same cell through a real `geppetto-dev view` process
and a WebSocket client holding the Geppetto conversation, as a browser does.

  to COMPLETED   run_experiment until experiment_status says COMPLETED (polled every 5 ms);
  to values      ... then get_experiment_state, until the recorded values are in the client;
  round trip     geppetto_version on a second connection, idle, then while 20 NEURON runs go;
  batch          20 experiments run one after another (each waited for) vs all at once.

Where the figure is not a latency, status is polled every 100 ms (clients poll every 1-2 s):
a tighter poll would measure the poll's own load on the server.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tornado.websocket import WebSocketClientConnection, websocket_connect

from geppetto_dev.projects.file_projects import file_project_id
from geppetto_dev.protocol import read_frame

__all__ = ["Conversation", "measure", "served"]

LEMS = "LEMSexamples/LEMS_NML2_Ex5_DetCell.xml"
V = "net1.hhpop[0].v"
WS_PATH = "/org.geppetto.frontend/GeppettoServlet"


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """`geppetto-dev view` on the LEMS file (which includes the NeuroML cell); its base URL."""
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    env = {
        **os.environ,
        "GEPPETTO_DEV_CACHE_DIR": str(cache),
        "DISPLAY": "",
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "geppetto_dev", "view", LEMS, "--port", "0", "--no-browser"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "http://127.0.0.1:" in line:
                url = line.split()[0].rstrip("/")
                break
        else:
            raise RuntimeError("geppetto-dev view did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


class Conversation:
    def __init__(self, conn: WebSocketClientConnection) -> None:
        self.conn = conn
        self.n = 0

    @classmethod
    async def open(cls, url: str) -> Conversation:
        talk = cls(await websocket_connect(url.replace("http://", "ws://") + WS_PATH))
        for _ in range(2):  # client_id, user_privileges
            await talk.conn.read_message()
        return talk

    async def send(self, kind: str, data: Any) -> str:
        self.n += 1
        request_id = f"b-{self.n}"
        body = data if isinstance(data, str) else json.dumps(data)
        await self.conn.write_message(
            json.dumps({"requestID": request_id, "type": kind, "data": body})
        )
        return request_id

    async def ask(self, kind: str, data: Any) -> dict[str, Any]:
        request_id = await self.send(kind, data)
        while True:
            frame = await self.conn.read_message()
            message = read_frame(frame) if frame is not None else None
            if isinstance(message, dict) and message.get("requestID") == request_id:
                return message

    async def load(self, project_id: int) -> None:
        await self.ask("load_project_from_id", {"projectId": project_id})
        for _ in range(3):
            await self.conn.read_message()

    async def statuses(self, project_id: int) -> dict[int, str]:
        reply = await self.ask("experiment_status", str(project_id))
        update = json.loads(json.loads(reply["data"])["update"])
        return {int(s["experimentID"]): s["status"] for s in update}

    async def until_done(self, project_id: int, ids: list[int], every: float = 0.005) -> None:
        """Poll experiment_status every `every` seconds until the runs have ended."""
        while True:
            now = await self.statuses(project_id)
            if all(now.get(i) in ("COMPLETED", "ERROR") for i in ids):
                failed = [i for i in ids if now[i] == "ERROR"]
                assert not failed, f"runs failed: {failed}"
                return
            await asyncio.sleep(every)


def _batch(project_id: int, n: int, step: float, length: float) -> str:
    item = {
        "watchedVariables": [V],
        "timeStep": step,
        "duration": length,
        "simulator": "neuronSimulator",
    }
    return json.dumps(
        {"projectId": project_id, "experiments": [{**item, "name": f"b{i}"} for i in range(n)]}
    )


async def _created(
    talk: Conversation, project_id: int, n: int, step: float, length: float
) -> list[int]:
    reply = await talk.ask("new_experiment_batch", _batch(project_id, n, step, length))
    return [int(e["id"]) for e in json.loads(json.loads(reply["data"])["experiment_batch_created"])]


async def _round_trips(
    talk: Conversation, samples: int, stop: asyncio.Event | None = None
) -> list[float]:
    out = []
    while len(out) < samples and not (stop is not None and stop.is_set()):
        start = time.perf_counter()
        await talk.ask("geppetto_version", {})
        out.append(time.perf_counter() - start)
        await asyncio.sleep(0.02)
    return out


async def _measure(url: str, folder: Path, args: Any) -> dict[str, float]:
    project_id = file_project_id(folder / LEMS)
    talk, other = await Conversation.open(url), await Conversation.open(url)
    await talk.load(project_id)
    out: dict[str, float] = {}
    # One run at a time: request -> COMPLETED, -> the values in the client.
    ids = await _created(talk, project_id, args.repeat + 1, args.step, args.length)
    to_done, to_values = [], []
    for experiment_id in ids:  # the first warms the pool's worker up
        start = time.perf_counter()
        await talk.send("run_experiment", {"projectId": project_id, "experimentId": experiment_id})
        await talk.until_done(project_id, [experiment_id])
        done = time.perf_counter()
        state = await talk.ask(
            "get_experiment_state", {"projectId": project_id, "experimentId": experiment_id}
        )
        recorded = json.loads(json.loads(state["data"])["update"])["recordedVariables"]
        values = next(r["value"]["value"] for r in recorded if r["pointer"]["path"] == V)
        assert len(values) == round(args.length / args.step) + 1
        to_done.append(done - start)
        to_values.append(time.perf_counter() - start)
    out["to_completed"] = statistics.median(to_done[1:])
    out["to_values"] = statistics.median(to_values[1:])

    # Round trips of another connection, idle, then while `batch` long runs go.
    idle = await _round_trips(other, 100)
    long_ids = await _created(talk, project_id, args.batch, args.step, args.length)
    stop = asyncio.Event()
    for experiment_id in long_ids:
        await talk.send("run_experiment", {"projectId": project_id, "experimentId": experiment_id})
    busy_task = asyncio.ensure_future(_round_trips(other, 10**6, stop))
    await talk.until_done(project_id, long_ids, every=0.1)
    stop.set()
    busy = await busy_task
    out["rtt_idle"], out["rtt_busy"] = statistics.median(idle), statistics.median(busy)
    out["rtt_busy_samples"] = len(busy)

    # A batch: one after another, then all at once.
    one_ids = await _created(talk, project_id, args.batch, args.step, args.length)
    start = time.perf_counter()
    for experiment_id in one_ids:
        await talk.send("run_experiment", {"projectId": project_id, "experimentId": experiment_id})
        await talk.until_done(project_id, [experiment_id], every=0.1)
    out["one_by_one"] = time.perf_counter() - start
    batch_ids = await _created(talk, project_id, args.batch, args.step, args.length)
    start = time.perf_counter()
    for experiment_id in batch_ids:
        await talk.send("run_experiment", {"projectId": project_id, "experimentId": experiment_id})
    await talk.until_done(project_id, batch_ids, every=0.1)
    out["batch"] = time.perf_counter() - start
    return out


def measure(folder: Path, args: Any) -> dict[str, float]:
    """Serve `folder`'s LEMS file and measure; the figures by name (seconds)."""
    with served(folder) as url:
        return asyncio.run(_measure(url, folder, args))
