"""Server.serve with the services still opening (the reload child's way), and two applications
in one process that share nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
from concurrent.futures import Future
from pathlib import Path

from flask import Flask
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.netutil import bind_sockets
from tornado.websocket import websocket_connect

from geppetto_dev.application import GeppettoApp, Services
from geppetto_dev.config import Settings
from geppetto_dev.server.server import Server


class GatedApp(GeppettoApp):
    """An application whose services open only when the test lets them."""

    gate = threading.Event()

    def _start(self, into: Future[Services]) -> None:
        self.gate.wait(30)
        super()._start(into)


def test_a_server_whose_services_are_opening_answers_http_and_holds_websockets(
    tmp_path: Path,
) -> None:
    settings = Settings(project_dir=tmp_path)
    flask_app = Flask("fixture")
    flask_app.add_url_rule("/hello", "hello", lambda: "hello")
    sockets = bind_sockets(0, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    app = GatedApp(settings, flask_app=flask_app)
    app.start_in_background()

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
        app.gate.set()
        message = json.loads(str(await first))
        ws.close()
        os.kill(os.getpid(), signal.SIGTERM)  # serve() stops on it, as under the CLI
        return body, held, message["type"]

    async def main() -> tuple[str, bool, str]:
        server = asyncio.ensure_future(Server(app).serve(sockets))
        result = await client()
        await asyncio.wait_for(server, timeout=30)
        return result

    body, held, first_type = asyncio.run(main())
    assert body == "hello"  # answered while the services were still opening
    assert held
    assert first_type == "client_id"


def test_two_applications_in_one_process_share_nothing(tmp_path: Path) -> None:
    """Two apps on two SQLite files: a run in one is not an experiment state of the other."""
    from geppetto_dev.projects import demo

    apps = [
        GeppettoApp(
            Settings(project_dir=tmp_path / name, database_url=f"sqlite:///{tmp_path / name}.db"),
            projects=[demo.demo_project()],
        )
        for name in ("a", "b")
    ]
    with apps[0] as first, apps[1] as second:
        assert first.services.store is not second.services.store
        assert first.services.executor is not second.services.executor
        with first.test_client() as client:
            client.ask("load_project_from_id", {"projectId": 1})
            client.ask("run_experiment", {"projectId": 1, "experimentId": 1})
        deadline = 200
        while first.services.store.get(1, 1).status != "COMPLETED" and deadline:  # type: ignore[union-attr]
            threading.Event().wait(0.05)
            deadline -= 1
        assert first.services.store.get(1, 1).status == "COMPLETED"  # type: ignore[union-attr]
        with second.test_client() as client:
            client.ask("load_project_from_id", {"projectId": 1})
        assert second.services.store.get(1, 1).status == "DESIGN"  # type: ignore[union-attr]
        assert second.services.store.get(1, 1).run == 0  # type: ignore[union-attr]
