"""server.run.serve with experiments started by its caller (the reload child's way)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from concurrent.futures import Future
from pathlib import Path

import pytest
from flask import Flask
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.netutil import bind_sockets
from tornado.websocket import websocket_connect

from geppetto_dev.config import Settings
from geppetto_dev.projects import runs, runtime
from geppetto_dev.server.experiments import ExperimentServices, start_experiments
from geppetto_dev.server.run import serve


def test_a_server_given_pending_experiments_answers_http_and_holds_websockets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server installs its store and executor process-wide and shuts them at exit: put the
    # previous ones back afterwards for the tests that follow in this process.
    monkeypatch.setattr(runtime, "_store", runtime._store)
    monkeypatch.setattr(runs.default_runner, "_executor", runs.default_runner._executor)
    settings = Settings(project_dir=tmp_path)
    flask_app = Flask("fixture")
    flask_app.add_url_rule("/hello", "hello", lambda: "hello")
    sockets = bind_sockets(0, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    pending: Future[ExperimentServices] = Future()

    async def client() -> tuple[str, bool, str]:
        await asyncio.sleep(0.05)
        http = AsyncHTTPClient()
        body = (await http.fetch(f"http://127.0.0.1:{port}/hello")).body.decode()
        ws = await websocket_connect(
            HTTPRequest(
                f"ws://127.0.0.1:{port}/org.geppetto.frontend/GeppettoServlet",
                headers={"Origin": f"http://127.0.0.1:{port}"},
            )
        )
        # No handshake while the store is not open: no message may meet the in-memory default.
        first = asyncio.ensure_future(ws.read_message())
        done, _ = await asyncio.wait({first}, timeout=0.3)
        held = not done
        pending.set_result(await asyncio.to_thread(start_experiments, settings))
        message = json.loads(str(await first))
        ws.close()
        os.kill(os.getpid(), signal.SIGTERM)  # serve() stops on it, as under the CLI
        return body, held, message["type"]

    async def main() -> tuple[str, bool, str]:
        server = asyncio.ensure_future(
            serve(settings, sockets, flask_app=flask_app, experiments=pending)
        )
        result = await client()
        await asyncio.wait_for(server, timeout=30)
        return result

    body, held, first_type = asyncio.run(main())
    assert body == "hello"  # answered while the experiments were still starting
    assert held
    assert first_type == "client_id"
