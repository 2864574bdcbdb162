"""Hostile clients against a real `geppetto-dev serve`, its resident memory read from /proc.

The bounds asserted here are the ones docs/reference/limits.md states. Latency for the other
clients meanwhile is measured by bench/hostile_clients.py, not asserted here.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.server.hostile import (
    Flooder,
    SlowReader,
    load_big_project,
    rss_mb,
    settled_rss,
    write_hostile_project,
)
from tests.support import ServeProcess, start_serve, wait_until

# docs/reference/limits.md, "What it costs the server".
FLOOD_GROWTH_MB = 16
SLOW_READERS_GROWTH_MB = 48
AFTER_GROWTH_MB = 16
THROTTLED = "does not keep up with its replies"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    """`geppetto-dev serve` in the hostile project, with these settings in its environment."""
    if not Path("/proc/self/status").exists():
        pytest.skip("resident memory is read from /proc (Linux)")
    servers: list[ServeProcess] = []

    def start(**settings: str) -> ServeProcess:
        project = write_hostile_project(tmp_path / "hostile")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
        env.update({f"GEPPETTO_DEV_{key.upper()}": value for key, value in settings.items()})
        servers.append(start_serve(project, base_env=env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_a_client_that_floods_and_never_reads_is_throttled_and_loses_nothing(
    serve: Callable[..., ServeProcess],
) -> None:
    # No pings: a client that answers none would be closed a minute on, not what this is about.
    served = serve(ping_interval="0")
    pid = served.proc.pid
    load_big_project(served.port)  # what a server holds after its first model: the baseline
    baseline = settled_rss(pid)
    flooder = Flooder(served.port)
    deadline = time.monotonic() + 45
    while THROTTLED not in served.text() and time.monotonic() < deadline:
        flooder.flood(2.0)
    assert THROTTLED in served.text(), served.text()[-2000:]
    # Throttled: the server reads none of what it is sent, so the socket fills and stays full.
    assert flooder.flood(15.0, stall=3.0), "the server kept reading a client that reads nothing"
    growth = rss_mb(pid) - baseline
    print(f"flood: {flooder.requests} requests, baseline {baseline:.0f} MB, +{growth:.1f} MB")
    assert growth < FLOOD_GROWTH_MB, f"{growth:.0f} MB after {flooder.requests} requests"
    assert served.text().count(THROTTLED) == 1  # logged once, not per request
    # Once it reads, every request it sent is answered: nothing was dropped.
    flooder.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    answered, closed = flooder.drain(30.0)
    flooder.close()
    assert closed is None and len(answered) == flooder.requests


def test_four_slow_readers_of_a_big_model_hold_a_bounded_amount_and_give_it_back(
    serve: Callable[..., ServeProcess],
) -> None:
    served = serve()
    pid = served.proc.pid
    model_bytes = load_big_project(served.port)
    assert model_bytes > 2_000_000  # a model of a few MB, as a real one is
    baseline = settled_rss(pid)
    readers = [SlowReader(served.port, loads=6) for _ in range(4)]
    try:
        wait_until(lambda: served.text().count(THROTTLED) == 4, 60, "four throttled clients")
        growth = settled_rss(pid) - baseline
        print(f"slow readers: baseline {baseline:.0f} MB, +{growth:.1f} MB")
        assert growth < SLOW_READERS_GROWTH_MB, f"{growth:.0f} MB with four slow readers"
        assert load_big_project(served.port) == model_bytes  # others are still served
        assert served.text().count(THROTTLED) == 4  # once per connection
    finally:
        for reader in readers:
            reader.close()
    wait_until(
        lambda: rss_mb(pid) - baseline < AFTER_GROWTH_MB, 30, "memory back near its baseline"
    )
    print(f"slow readers gone: +{settled_rss(pid) - baseline:.1f} MB")
