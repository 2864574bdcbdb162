"""`reconnect`: the socket that replaces a dropped one takes over the projects it had loaded,
as geppetto-meta's client expects (it keeps its page and sends `{connectionID, projectId}`)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from geppetto_dev.projects import Project
from geppetto_dev.projects.connection import ConnectionState
from geppetto_dev.projects.reconnection import LostConnections
from tests.projects.conftest import RUN_GATE, TINY_ID, Conversation, inner
from tests.proves import proves
from tests.server.conftest import connect, run_async


async def opened(server: Any) -> tuple[Conversation, str]:
    client = await connect(server.ws_url)
    client_id, _privileges = await client.handshake()
    return Conversation(client), json.loads(client_id["data"])["clientID"]


async def statuses(talk: Conversation) -> list[dict[str, Any]]:
    """What experiment_status says of the tiny project on this connection (nothing: not loaded)."""
    (status,) = await talk.ask("experiment_status", str(TINY_ID))
    told = inner(status, "update")
    return told if isinstance(told, list) else []


def drop(talk: Conversation) -> None:
    """The TCP connection ends with no close frame, as a network failure ends it."""
    stream = talk.client.conn.protocol.stream  # type: ignore[union-attr]
    stream.close()


@proves("reconnect")
def test_a_reconnect_takes_over_the_dropped_connections_projects(
    start_server: Any, tiny: Project
) -> None:
    server = start_server()

    async def scenario() -> None:
        first, first_id = await opened(server)
        await first.ask("load_project_from_id", {"projectId": TINY_ID}, 4)
        drop(first)

        # A new socket that does not reconnect has nothing loaded.
        stranger, _ = await opened(server)
        await stranger.client.request("reconnect", {"connectionID": "not-" + first_id})
        assert await statuses(stranger) == []
        (refused,) = await stranger.ask("run_experiment", {"projectId": TINY_ID, "experimentId": 1})
        assert refused["type"] in ("info_message", "error_running_experiment")

        # The client's own reconnect: the project is loaded on the new socket, runs and reports.
        second, second_id = await opened(server)
        await second.client.request("reconnect", {"connectionID": first_id, "projectId": TINY_ID})
        assert [s["experimentID"] for s in await statuses(second)] == ["1", "2"]
        RUN_GATE.set()
        await second.client.request("run_experiment", {"projectId": TINY_ID, "experimentId": 1})
        for _ in range(200):
            told = {s["experimentID"]: s["status"] for s in await statuses(second)}
            if told["1"] == "COMPLETED":
                break
            await asyncio.sleep(0.05)
        assert told["1"] == "COMPLETED"
        (state,) = await second.ask(
            "get_experiment_state", {"projectId": TINY_ID, "experimentId": 1}
        )
        assert state["type"] == "get_experiment_state"

        # Taken once: the same id restores nothing again; the new socket can be taken over in turn.
        third, _ = await opened(server)
        await third.client.request("reconnect", {"connectionID": first_id})
        assert await statuses(third) == []
        drop(second)
        fourth, _ = await opened(server)
        await fourth.client.request("reconnect", {"connectionID": second_id})
        assert len(await statuses(fourth)) == 2

    run_async(scenario())


def test_kept_states_expire_are_bounded_and_go_only_to_their_owner() -> None:
    now = [0.0]
    lost = LostConnections(grace=60.0, limit=2, clock=lambda: now[0])
    alice = (1, "alice", True)
    states = [ConnectionState() for _ in range(3)]
    lost.keep("a", states[0], alice)
    assert lost.take("a", (None, "Guest", False)) is None  # another user: not theirs
    assert lost.take("a", alice) is states[0]
    assert lost.take("a", alice) is None  # once
    for name, state in zip("bcd", states, strict=True):
        lost.keep(name, state, alice)
    assert len(lost) == 2 and lost.take("b", alice) is None  # the oldest went first
    now[0] = 61.0
    assert len(lost) == 0 and lost.take("d", alice) is None  # past the grace
