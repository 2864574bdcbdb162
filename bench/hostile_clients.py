"""Hostile clients against a real `geppetto-dev serve`: its memory, and everyone else's latency.

Three phases against one server (loopback), each measured against the same server idle:

- flood: one client sends `geppetto_version` requests as fast as its socket takes them and
  never reads;
- slow readers: four clients each ask for a 20k-cylinder model (a 2.2 MB frame) LOADS times
  and never read;
- meanwhile, a well-behaved client times `geppetto_version` round trips.

Printed: the server's resident memory (baseline, peak, and after the clients left), what
happened to the hostile clients (throttled, closed with a code), and the well-behaved client's
round trip under attack as a ratio of its idle round trip. `--checkout DIR` runs the same
against another checkout (e.g. one from before the limits) in the same run, for comparison.

    python bench/hostile_clients.py [--seconds 10] [--loads 6] [--checkout /path/to/other]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.server.hostile import (  # noqa: E402
    BIG_PROJECT_ID,
    WEBSOCKET_PATH,
    Flooder,
    SlowReader,
    request_frame,
    rss_mb,
    write_hostile_project,
)
from tests.server.rawws import RawWebSocket  # noqa: E402
from tests.support import start_serve  # noqa: E402


class Sampler(threading.Thread):
    """The server's RSS every 50 ms, for the peak of a phase."""

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


def settle(pid: int, seconds: float) -> float:
    """RSS once it stops falling (or after `seconds`)."""
    deadline = time.monotonic() + seconds
    last = rss_mb(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = rss_mb(pid)
        if abs(now - last) < 0.5:
            return now
        last = now
    return last


def load_once(port: int) -> None:
    """A normal load of the big project: the model is built and kept, part of the baseline."""
    ws = RawWebSocket(port, WEBSOCKET_PATH)
    ws.recv(), ws.recv()
    ws.send(request_frame("load_project_from_id", "warm", {"projectId": BIG_PROJECT_ID}))
    for _ in range(4):
        ws.recv()
    ws.close()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000 if samples else float("nan")


def attack(
    checkout: Path, seconds: float, loads: int, settings: dict[str, str]
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        project = write_hostile_project(Path(tmp) / "hostile")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GEPPETTO_DEV_")}
        env.update(settings)
        served = start_serve(project, base_env={**env, "PYTHONPATH": str(checkout)})
        try:
            return _phases(served.proc.pid, served.port, served.text, seconds, loads)
        finally:
            served.stop()


def _phases(pid: int, port: int, output: object, seconds: float, loads: int) -> dict[str, object]:
    load_once(port)
    idle = probe(port, 2.0)
    base = settle(pid, 5)
    out: dict[str, object] = {"baseline": base, "idle_ms": median_ms(idle)}

    sampler, prober = Sampler(pid), Prober(port)
    sampler.start()
    prober.start()
    flooder = Flooder(port)
    throttled = flooder.flood(seconds)
    out["flood_requests"] = flooder.requests
    out["flood_during"] = rss_mb(pid)
    out["flood_ms"] = median_ms(prober.stop())
    out["flood_peak"] = sampler.stop()
    answered, closed = flooder.drain(30)
    out["flood_outcome"] = (
        f"closed {closed.close_code}"
        if closed is not None
        else ("throttled" if throttled else "not throttled")
    ) + f", {len(answered)}/{flooder.requests} answered"
    flooder.close()
    out["flood_after"] = settle(pid, 10)

    sampler, prober = Sampler(pid), Prober(port)
    sampler.start()
    prober.start()
    readers = [SlowReader(port, loads) for _ in range(4)]
    time.sleep(seconds)
    out["slow_during"] = rss_mb(pid)
    out["slow_ms"] = median_ms(prober.stop())
    out["slow_peak"] = sampler.stop()
    closes = [reader.read_until_close(1.0) for reader in readers]
    out["slow_outcome"] = ", ".join(
        f"closed {c.close_code}" if c is not None else "open" for c in closes
    )
    for reader in readers:
        reader.close()
    out["slow_after"] = settle(pid, 10)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each attack")
    parser.add_argument("--loads", type=int, default=6, help="big-model loads per slow reader")
    parser.add_argument("--checkout", type=Path, help="also attack this checkout's server")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting, e.g. max-requests-in-flight=8 (as GEPPETTO_DEV_MAX_REQUESTS_IN_FLIGHT)",
    )
    args = parser.parse_args()
    settings = {}
    for item in args.set:
        key, _, value = item.partition("=")
        settings["GEPPETTO_DEV_" + key.upper().replace("-", "_")] = value
    runs = {"this checkout": attack(REPO, args.seconds, args.loads, settings)}
    if args.checkout:
        runs[str(args.checkout)] = attack(
            args.checkout.resolve(), args.seconds, args.loads, settings
        )
    for name, r in runs.items():
        print(f"== {name}")
        print(f"baseline RSS {r['baseline']:.0f} MB; idle round trip {r['idle_ms']:.2f} ms")
        for phase, label in (("flood", "1 flooding non-reader"), ("slow", "4 slow readers")):
            during, peak, after = r[f"{phase}_during"], r[f"{phase}_peak"], r[f"{phase}_after"]
            ratio = float(r[f"{phase}_ms"]) / float(r["idle_ms"])  # type: ignore[arg-type]
            print(
                f"{label:<22} RSS +{during - r['baseline']:.0f} MB at the end, "  # type: ignore[operator]
                f"peak +{peak - r['baseline']:.0f} MB, after +{after - r['baseline']:.0f} MB; "  # type: ignore[operator]
                f"round trip {r[f'{phase}_ms']:.2f} ms = {ratio:.2f}x idle; "
                f"{r[f'{phase}_outcome']}"
            )
        print(f"flood: {r['flood_requests']} requests sent")


if __name__ == "__main__":
    main()
