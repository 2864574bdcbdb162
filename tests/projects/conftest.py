"""A tiny project with every hook, registered for a test, and a client that plays the
conversation the Geppetto clients hold over a real WebSocket against a real server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from geppetto_dev import model as gm
from geppetto_dev.projects import Experiment, Project, RunRequest
from geppetto_dev.projects.project import project
from tests.server.conftest import Client, projects, start_server, webapp  # noqa: F401 (fixtures)

TINY_ID = 91
RUN_GATE = threading.Event()  # a test holds a run in RUNNING by clearing it


def build_tiny() -> gm.GeppettoModel:
    m = gm.GeppettoModel("tiny", name="Tiny")
    lib = m.add_library("tiny")
    morph = lib.add(
        gm.CompositeVisualType(
            "morph", variables=[gm.sphere("soma", radius=5.0, position=(0, 0, 0))]
        )
    )
    cell = lib.add(
        gm.CompositeType(
            "cell",
            variables=[gm.state_variable("v"), gm.Variable("lazy_v", gm.common.STATE_VARIABLE)],
            visual_type=morph,
        )
    )
    pop = lib.add(gm.ArrayType("pop", array_type=cell, positions=[(0, 0, 0), (20, 0, 0)]))
    lazy = lib.add(gm.ImportType("lazy", autoresolve=False))
    m.add_variable(gm.Variable("pop", pop))
    m.add_variable(gm.Variable("extra", lazy))
    return m


def resolve(model: gm.GeppettoModel, old: Any) -> gm.Type:
    return gm.CompositeType(old.id, name="Resolved", variables=[gm.parameter("k", 2.0, "s")])


def resolve_value(model: gm.GeppettoModel, path: str) -> gm.Value:
    return gm.time_series([1.0, 2.0, 3.0], unit="mV")


def fetch(model: gm.GeppettoModel, variable_id: str, data_source_id: str) -> gm.Variable:
    return gm.text(variable_id, f"fetched from {data_source_id}")


def run(request: RunRequest) -> dict[str, Any]:
    RUN_GATE.wait(10)
    if request.parameters.get("fail"):
        raise RuntimeError("the simulator blew up")
    steps = 5
    out: dict[str, Any] = {"time": [i * request.timestep for i in range(steps)]}
    for path in request.watched:
        out[path] = gm.time_series([-65.0 + i for i in range(steps)], unit="mV")
    return out


def download(model: gm.GeppettoModel, path: str, fmt: str) -> tuple[str, bytes]:
    return "tiny.json", gm.to_json(model).encode()


@pytest.fixture
def tiny(projects: list[Project]) -> Iterator[Project]:  # noqa: F811 (the fixture, requested)
    RUN_GATE.set()
    item = project(
        id=TINY_ID,
        name="tiny",
        experiments=[
            Experiment(1, "Run", watched=["pop[0].v", "pop(pop)[1].v(StateVariable)"]),
            Experiment(2, "Fails", watched=["pop[0].v"], parameters={"fail": 1.0}),
        ],
    )(build_tiny)
    item.resolve_type(resolve)
    item.resolve_value(resolve_value)
    item.fetch_variable(fetch)
    item.run(run)
    item.download("JSON")(download)
    projects.append(item)
    yield item
    RUN_GATE.set()


class Conversation:
    """Sends as the client does (bare strings as-is, objects JSON-encoded) and reads replies."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.n = 0

    async def ask(self, kind: str, data: Any, count: int = 1) -> list[dict[str, Any]]:
        self.n += 1
        request_id = f"c-{self.n}"
        await self.client.request(kind, data, request_id)
        return [await self.recv() for _ in range(count)]

    async def recv(self, timeout: float = 10.0) -> Any:
        message = await self.client.recv(timeout)
        if isinstance(message, dict):
            message["payload"] = json.loads(message["data"])
        return message


def inner(message: dict[str, Any], key: str | None = None) -> Any:
    """The double-encoded value of a reply (`{"project_loaded": "<json>"}` -> the object)."""
    value = message["payload"][key or message["type"]]
    return json.loads(value) if isinstance(value, str) and value else value
