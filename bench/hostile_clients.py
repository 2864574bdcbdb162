"""Hostile clients against a real `geppetto-dev serve`: its memory, and everyone else's latency.

Two attacks on one server (loopback), each compared with the same server idle just before:

- flood: one client sends `geppetto_version` requests as fast as its socket takes them and
  never reads;
- slow readers: four clients each ask LOADS times for a 20k-cylinder model (a 2.2 MB frame,
  a 10 MB JSON model) and never read.

Meanwhile a well-behaved client times `geppetto_version` round trips, 20 ms apart. Printed:
the server's resident memory over its baseline (at the end of the attack, its peak, and once
the attackers are gone), what became of the attackers, and the well-behaved client's round
trip under attack as a ratio of its idle one (p50, p95). `--checkout DIR` runs the same
against another checkout in the same run (e.g. one from before the limits).

    python bench/hostile_clients.py [--seconds 10] [--loads 6] [--checkout DIR] [--set K=V]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.server.hostile import (  # noqa: E402
    WEBSOCKET_PATH,
    Flooder,
    SlowReader,
    load_big_project,
    request_frame,
    rss_mb,
    settled_rss,
    write_hostile_project,
)
from tests.server.rawws import RawWebSocket  # noqa: E402
from tests.support import start_serve  # noqa: E402

Result = dict[str, float | str]
# An attack: starts at a port, runs for so many seconds; what it did, and how it leaves.
Attack = Callable[[int, float], tuple[str, Callable[[], str]]]


class Sampler(threading.Thread):
    """The server's RSS every 50 ms, for the peak of an attack."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = rss_mb(pid)
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.05)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak


class Prober(threading.Thread):
    """A well-behaved client timing round trips, 20 ms apart, until stopped."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.ws = RawWebSocket(port, WEBSOCKET_PATH)
        self.ws.recv(), self.ws.recv()
        self.samples: list[float] = []
        self.running = True

    def run(self) -> None:
        i = 0
        while self.running:
            i += 1
            begin = time.perf_counter()
            self.ws.send(request_frame("geppetto_version", f"p-{i}"))
            while json.loads(self.ws.recv().payload).get("requestID") != f"p-{i}":
                pass
            self.samples.append(time.perf_counter() - begin)
            time.sleep(0.02)

    def stop(self) -> list[float]:
        self.running = False
        self.join()
        self.ws.close()
        return self.samples


def probe(port: int, seconds: float) -> list[float]:
    prober = Prober(port)
    prober.start()
    time.sleep(seconds)
    return prober.stop()


def percentile_ms(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def flood(port: int, seconds: float) -> tuple[str, Callable[[], str]]:
    flooder = Flooder(port)
    throttled = flooder.flood(seconds)
    what = f"{flooder.requests} requests, " + (
        "then throttled (its socket stayed full)" if throttled else "still sending at the end"
    )

    def leave() -> str:
        answered, closed = flooder.drain(60)
        flooder.close()
        if closed is not None:
            return f"closed with {closed.close_code}"
        return f"{len(answered)}/{flooder.requests} answered once it read"

    return what, leave


def slow_readers(loads: int) -> Attack:
    def attack(port: int, seconds: float) -> tuple[str, Callable[[], str]]:
        readers = [SlowReader(port, loads) for _ in range(4)]
        time.sleep(seconds)

        def leave() -> str:
            closes = [reader.read_until_close(0.5) for reader in readers]
            for reader in readers:
                reader.close()
            codes = sorted({c.close_code for c in closes if c is not None}, key=str)
            return f"closed with {codes}" if codes else "left open (throttled)"

        return f"4 x {loads} loads, never read", leave

    return attack


def phase(pid: int, port: int, seconds: float, hostile: Attack) -> Result:
    """Idle round trips and RSS; the same during the attack; RSS once the attackers left."""
    idle = probe(port, 3.0)
    baseline = settled_rss(pid, 5, every=0.5)
    sampler, prober = Sampler(pid), Prober(port)
    sampler.start()
    prober.start()
    what, leave = hostile(port, seconds)
    during = rss_mb(pid)
    busy = prober.stop()
    peak = sampler.stop()
    outcome = leave()
    return {
        "what": f"{what}; {outcome}",
        "baseline": baseline,
        "during": during - baseline,
        "peak": peak - baseline,
        "after": settled_rss(pid, 15, every=0.5) - baseline,
        "idle_ms": percentile_ms(idle, 0.5),
        "p50": percentile_ms(busy, 0.5) / percentile_ms(idle, 0.5),
        "p95": percentile_ms(busy, 0.95) / percentile_ms(idle, 0.95),
    }


def run_against(
    checkout: Path, seconds: float, loads: int, settings: dict[str, str]
) -> dict[str, Result]:
    with tempfile.TemporaryDirectory() as tmp:
        project = write_hostile_project(Path(tmp) / "hostile")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
        env.update(settings)
        served = start_serve(project, base_env={**env, "PYTHONPATH": str(checkout)})
        try:
            load_big_project(served.port)
            pid, port = served.proc.pid, served.port
            return {
                "flood": phase(pid, port, seconds, flood),
                "slow readers": phase(pid, port, seconds, slow_readers(loads)),
            }
        finally:
            served.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each attack")
    parser.add_argument("--loads", type=int, default=6, help="model loads per slow reader")
    parser.add_argument("--checkout", type=Path, help="also attack this checkout's server")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting for the servers, e.g. max-requests-in-flight=8",
    )
    args = parser.parse_args()
    settings = {}
    for item in args.set:
        key, _, value = item.partition("=")
        settings["GEPPETTO_DEV_" + key.upper().replace("-", "_")] = value
    runs = {"this checkout": run_against(REPO, args.seconds, args.loads, settings)}
    if args.checkout:
        other = args.checkout.resolve()
        runs[str(other)] = run_against(other, args.seconds, args.loads, settings)
    print(
        f"geppetto-dev serve under hostile clients, {args.seconds:.0f} s each. RSS: MB over the "
        "baseline. Round trip of a well-behaved client meanwhile, as a ratio of its idle one."
    )
    header = ("server", "attack", "RSS end", "RSS peak", "RSS after", "p50 x", "p95 x")
    print(f"{header[0]:<22}{header[1]:<14}" + "".join(f"{h:>10}" for h in header[2:]))
    for name, phases in runs.items():
        for attack_name, r in phases.items():
            print(
                f"{name[-21:]:<22}{attack_name:<14}{r['during']:>10.0f}{r['peak']:>10.0f}"
                f"{r['after']:>10.0f}{r['p50']:>10.2f}{r['p95']:>10.2f}   {r['what']}"
            )
        flood_phase = phases["flood"]
        print(
            f"{'':<22}baseline {flood_phase['baseline']:.0f} MB, "
            f"idle round trip {flood_phase['idle_ms']:.2f} ms"
        )


if __name__ == "__main__":
    main()
