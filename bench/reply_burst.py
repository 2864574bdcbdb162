"""A request answered by several messages at once, as every project load is (project_loaded,
geppetto_model_loaded, experiment_loading, experiment_loaded): geppetto-dev's WebSocket
(TCP_NODELAY) against Tornado's default (Nagle's algorithm), the same starter project served by
two `geppetto-dev serve` processes in one run, loads interleaved.

With Nagle, a reply written while the previous one is unacknowledged waits for the client's
delayed ACK (40 ms on Linux); the Java server's Tomcat had the same default.

    python bench/reply_burst.py [--loads 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accounts import Socket, make_project

from tests.support import REPO, start_serve

# Imported first by the competitor's interpreter: the WebSocket's one change undone.
NAGLE = """from geppetto_dev.server.websocket import GeppettoWebSocket

GeppettoWebSocket.set_nodelay = lambda self, value: None
"""


async def loads(ours: int, nagle: int, times: int) -> tuple[list[float], list[float]]:
    a, b = await Socket.open(ours), await Socket.open(nagle)
    data = {"projectId": 1}
    for s in (a, b):  # the model built once per server, as after a first visitor
        await s.ask("load_project_from_id", data, replies=4)
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(times):
        mine.append(await a.ask("load_project_from_id", data, replies=4))
        theirs.append(await b.ask("load_project_from_id", data, replies=4))
    a.conn.close(), b.conn.close()
    return mine, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=30)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    project = make_project(root)
    (root / "sitecustomize.py").write_text(NAGLE)
    ours = start_serve(project)
    nagle = start_serve(project, env={"PYTHONPATH": f"{root}:{REPO}"})
    try:
        mine, theirs = asyncio.run(loads(ours.port, nagle.port, args.loads))
    finally:
        ours.stop()
        nagle.stop()
    m, t = statistics.median(mine) * 1000, statistics.median(theirs) * 1000
    print(f"load of the starter project, request to experiment_loaded, median of {args.loads}:")
    print(f"  geppetto-dev (TCP_NODELAY) {m:7.2f} ms")
    print(f"  Tornado's default (Nagle)  {t:7.2f} ms")
    print(f"  ratio {m / t:.2f}x")


if __name__ == "__main__":
    main()
