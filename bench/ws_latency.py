"""WebSocket round-trip latency while slow REST calls are in flight: geppetto-dev vs the template.

The Tornado-Flask template runs Flask on the IOLoop thread (WSGIContainer without an executor),
so every slow view stalls every WebSocket. geppetto-dev runs Flask in a thread pool. Both stacks
are built here from the same parts, differing only in that choice, and measured in one run:

    python bench/ws_latency.py [--slow N] [--delay SECONDS] [--requests M]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask
from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer
from tornado.web import Application, FallbackHandler
from tornado.websocket import websocket_connect
from tornado.wsgi import WSGIContainer

from geppetto_dev.application import GeppettoApp
from geppetto_dev.config import Settings
from geppetto_dev.server.stack import make_app
from geppetto_dev.server.websocket import GeppettoWebSocket


def slow_flask_app(delay: float) -> Flask:
    app = Flask("bench")

    @app.route("/api/slow")
    def slow() -> str:
        time.sleep(delay)  # a database query, a simulation step...
        return "ok"

    return app


def template_app(settings: Settings, flask_app: Flask) -> Application:
    """The template's design: the same WebSocket, Flask called on the IOLoop thread."""
    ws_args = {"app": GeppettoApp(settings, flask_app=flask_app), "executor": ThreadPoolExecutor(4)}
    return Application(
        [
            (settings.websocket_path, GeppettoWebSocket, ws_args),
            (r".*", FallbackHandler, {"fallback": WSGIContainer(flask_app)}),
        ],
        geppetto_connections=set(),
    )


def serve(kind: str, sock: socket.socket, delay: float) -> None:
    settings = Settings(frontend_dir=Path("/nonexistent"), inspector=False)
    flask_app = slow_flask_app(delay)

    async def main() -> None:
        if kind == "geppetto-dev":
            app = make_app(GeppettoApp(settings, flask_app=flask_app))
        else:
            app = template_app(settings, flask_app)
        server = HTTPServer(app)
        server.add_sockets([sock])
        await asyncio.Event().wait()

    asyncio.run(main())


async def measure(port: int, slow: int, requests: int) -> list[float]:
    base = f"http://127.0.0.1:{port}"
    client = await websocket_connect(f"ws://127.0.0.1:{port}/org.geppetto.frontend/GeppettoServlet")
    await client.read_message()
    await client.read_message()
    http = AsyncHTTPClient(max_clients=slow + 2)
    stop = False

    async def keep_busy() -> None:
        while not stop:
            await http.fetch(base + "/api/slow", request_timeout=60)

    busy = [asyncio.ensure_future(keep_busy()) for _ in range(slow)]
    await asyncio.sleep(0.3)  # let the slow calls pile up
    samples = []
    for i in range(requests):
        begin = time.perf_counter()
        message = {"requestID": f"b-{i}", "type": "geppetto_version", "data": "null"}
        await client.write_message(json.dumps(message))
        while True:
            reply = json.loads(await client.read_message())  # type: ignore[arg-type]
            if reply["requestID"] == f"b-{i}":
                break
        samples.append(time.perf_counter() - begin)
        await asyncio.sleep(0.01)
    stop = True
    await asyncio.gather(*busy)
    client.close()
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=4, help="slow REST calls kept in flight")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds each slow call takes")
    parser.add_argument("--requests", type=int, default=60, help="WebSocket round trips timed")
    args = parser.parse_args()

    ctx = multiprocessing.get_context("fork")
    results: dict[str, list[float]] = {}
    for kind in ("geppetto-dev", "template"):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        sock.setblocking(False)
        port = sock.getsockname()[1]
        proc = ctx.Process(target=serve, args=(kind, sock, args.delay), daemon=True)
        proc.start()
        try:
            results[kind] = asyncio.run(measure(port, args.slow, args.requests))
        finally:
            proc.terminate()
            proc.join()
            sock.close()

    print(
        f"WebSocket round trip, {args.slow} REST calls of {args.delay}s in flight, "
        f"{args.requests} round trips each"
    )
    print(f"{'stack':<14}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for kind, samples in results.items():
        print(
            f"{kind:<14}{percentile(samples, 0.5) * 1000:>10.2f}"
            f"{percentile(samples, 0.99) * 1000:>10.2f}{max(samples) * 1000:>10.2f}"
        )
    ours, theirs = results["geppetto-dev"], results["template"]
    p50 = statistics.median(theirs) / statistics.median(ours)
    p99 = percentile(theirs, 0.99) / percentile(ours, 0.99)
    print(f"ratio template/geppetto-dev: p50 {p50:.1f}x, p99 {p99:.1f}x")


if __name__ == "__main__":
    main()
