"""Save-to-new-response latency of three reloaders serving the same Flask app, in one run.

For `geppetto-dev serve --reload`, `uvicorn --reload --interface wsgi` and `flask run --debug`,
each in its own copy of a small project (a Flask + flask_restful app that imports a module),
every trial rewrites that module with a new text and polls the app over fresh connections until
the new text comes back. Trials are interleaved (one per server in turn, in a rotating order), so
machine noise hits all three alike. It prints median/min/max latency, the connections refused
or dropped (accepted, then closed without a whole answer) while reloading, and the median as a
ratio to uvicorn's.

    python bench/reload.py [--trials N]

uvicorn and flask's runner are benchmark-only dependencies (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

APP = """\
from flask import Flask
from flask_restful import Api, Resource

import message


class Text(Resource):
    def get(self):
        return {"text": message.TEXT}


app = Flask(__name__)
Api(app).add_resource(Text, "/text")
"""


@dataclass
class Server:
    name: str
    argv: list[str]
    folder: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    latencies: list[float] = field(default_factory=list)
    refused: int = 0
    dropped: int = 0  # accepted, then closed or reset without a whole answer
    failed: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(port: int, timeout: float = 5.0) -> str | None:
    """The served text, or None on an error status; raises OSError when not connected."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/text")
        response = conn.getresponse()
        body = response.read().decode()
    finally:
        conn.close()
    if response.status != 200:
        return None
    return body


def write_message(folder: Path, text: str) -> None:
    (folder / "message.py").write_text(f"TEXT = {text!r}\n")


def wait_for(server: Server, text: str, deadline: float) -> float | None:
    """Poll until the server answers `text`; the time it happened, or None past the deadline."""
    while time.perf_counter() < deadline:
        try:
            body = fetch(server.port)
        except ConnectionRefusedError:
            server.refused += 1
            time.sleep(0.002)
            continue
        except (OSError, http.client.HTTPException):
            server.dropped += 1
            time.sleep(0.002)
            continue
        if body is not None and text in body:
            return time.perf_counter()
        time.sleep(0.002)
    return None


def start(server: Server) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    server.proc = subprocess.Popen(
        server.argv,
        cwd=server.folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(server: Server) -> None:
    if server.proc is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.proc.pid, signal.SIGTERM)
    try:
        server.proc.wait(5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait()


def make_servers(root: Path) -> list[Server]:
    python = sys.executable
    specs = {
        "geppetto-dev": lambda port: [
            python, "-m", "geppetto_dev", "serve", "--reload", "--app", "app:app",
            "--port", str(port), "--no-inspector",
        ],
        "uvicorn": lambda port: [
            python, "-m", "uvicorn", "app:app", "--interface", "wsgi", "--reload",
            "--port", str(port), "--log-level", "warning",
        ],
        "flask": lambda port: [
            python, "-m", "flask", "--app", "app:app", "run", "--debug", "--port", str(port),
        ],
    }  # fmt: skip
    servers = []
    for name, argv in specs.items():
        folder = root / name
        folder.mkdir()
        (folder / "app.py").write_text(APP)
        write_message(folder, "start")
        port = free_port()
        servers.append(Server(name, argv(port), folder, port))
    return servers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reload-bench-") as tmp:
        servers = make_servers(Path(tmp))
        try:
            for server in servers:
                start(server)
            for server in servers:
                if wait_for(server, "start", time.perf_counter() + 30) is None:
                    sys.exit(f"{server.name} did not start: {' '.join(server.argv)}")
                server.refused = server.dropped = 0
            time.sleep(1.0)  # let every reloader settle (flask's stat reloader scans first)
            for trial in range(args.trials):
                order = servers[trial % 3 :] + servers[: trial % 3]
                for server in order:
                    text = f"trial-{trial}-{time.time_ns()}"
                    before = time.perf_counter()
                    write_message(server.folder, text)
                    done = wait_for(server, text, before + 15)
                    if done is None:
                        server.failed += 1
                    else:
                        server.latencies.append(done - before)
                    time.sleep(0.3)  # a quiet machine for the next one
        finally:
            for server in servers:
                stop(server)
    report(servers, args.trials)


def report(servers: list[Server], trials: int) -> None:
    base = next(s for s in servers if s.name == "uvicorn")
    base_median = statistics.median(base.latencies) if base.latencies else float("nan")
    print(f"save -> first response with the new code, {trials} interleaved trials per server")
    print(
        f"{'server':<14}{'median ms':>10}{'min ms':>9}{'max ms':>9}"
        f"{'refused':>9}{'dropped':>9}{'failed':>8}{'vs uvicorn':>12}"
    )
    for s in servers:
        if not s.latencies:
            print(
                f"{s.name:<14}{'-':>10}{'-':>9}{'-':>9}{s.refused:>9}{s.dropped:>9}{s.failed:>8}"
                f"{'-':>12}"
            )
            continue
        median = statistics.median(s.latencies)
        print(
            f"{s.name:<14}{median * 1000:>10.0f}{min(s.latencies) * 1000:>9.0f}"
            f"{max(s.latencies) * 1000:>9.0f}{s.refused:>9}{s.dropped:>9}{s.failed:>8}"
            f"{median / base_median:>11.2f}x"
        )


if __name__ == "__main__":
    main()
