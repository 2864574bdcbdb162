"""The starter project's demo: the same model as geppetto_dev's, and `init` -> `serve` -> a
WebSocket client playing the conversation against project 1, all as real processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.projects.conftest import Conversation, inner
from tests.scaffold.conftest import REPO, make_project
from tests.server.conftest import connect, run_async
from tests.support import start_serve

SAME_MODEL = """
from geppetto_dev import GeppettoApp, load_settings, model as gm
from geppetto_dev.projects import demo as package_demo
from demo_app.projects import demo as starter_demo

assert gm.to_json(starter_demo.demo()) == gm.to_json(package_demo.build_model())
app = GeppettoApp.load(load_settings())
registered = app.projects.by_id(1)
assert registered is starter_demo.demo and registered.name == "demo"
assert registered.download_formats == ("JSON",) and registered.run_hook is not None
assert "hello" in app.handlers and "load_project_from_id" in app.handlers
# The same data source, query and experiment script.
packaged = package_demo.demo_project()
assert gm.to_json(registered.build_model()) == gm.to_json(packaged.build_model())
assert registered.script_hook("demo.js") == packaged.script_hook("demo.js") != None
assert starter_demo.search("cell") == package_demo.search("cell")
assert starter_demo.firing(None, "net") == package_demo.firing(None, "net")
# The same NeuroML cell, its file beside the starter's demo, simulated from there.
assert starter_demo.HH_CELL.read_bytes() == package_demo.HH_CELL.read_bytes()
assert registered.model_file.path == str(starter_demo.HH_CELL)
print("same")
"""


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
    return {**clean, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def test_the_starter_copy_builds_the_packages_demo_model(tmp_path: Path) -> None:
    root = make_project(tmp_path / "demo-app")
    # A process of its own: the starter's modules are imported from its folder.
    done = subprocess.run(
        [sys.executable, "-c", SAME_MODEL],
        cwd=root,
        env={**env(), "PYTHONPATH": f"{root}{os.pathsep}{REPO}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "same"


@contextmanager
def serving(project: Path) -> Iterator[int]:
    served = start_serve(project, base_env=env())
    try:
        yield served.port
    finally:
        served.stop()


def test_init_then_serve_plays_the_demo_conversation(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geppetto_dev", "init", "demo-app", "--skip-frontend"],
        cwd=tmp_path,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "demo_app/projects/demo.py" in done.stdout

    async def scenario(port: int) -> None:
        client = await connect(f"ws://127.0.0.1:{port}/org.geppetto.frontend/GeppettoServlet")
        await client.handshake()
        talk = Conversation(client)
        replies = await talk.ask("load_project_from_id", {"projectId": "1", "experimentId": 1}, 4)
        assert [m["requestID"] for m in replies] == ["c-1"] * 4
        assert inner(replies[0])["persisted"] is True
        assert inner(replies[1])["variables"][0]["id"] == "net"
        (resolved,) = await talk.ask(
            "resolve_import_type", {"projectId": "1", "paths": ["demo.details"]}
        )
        assert resolved["type"] == "import_type_resolved"
        await talk.client.request("run_experiment", {"projectId": 1, "experimentId": 1})
        told: list[str] = []
        while not told or told[-1] != "COMPLETED":
            await asyncio.sleep(0.1)
            (status,) = await talk.ask("experiment_status", "1")
            told.append(inner(status, "update")[0]["status"])
        assert "RUNNING" in told
        (state,) = await talk.ask("get_experiment_state", {"projectId": 1, "experimentId": 1})
        assert len(inner(state, "update")["recordedVariables"]) == 4

    with serving(tmp_path / "demo-app") as port:
        run_async(scenario(port))
        import json
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/projects", timeout=10) as r:
            listed: list[dict[str, Any]] = json.load(r)
        assert [p["name"] for p in listed] == ["demo"]
