"""What accounts cost a message: one starter project served twice in one run, by `serve` (single
user, the competitor) and by `serve --accounts` with a logged-in WebSocket, measured interleaved.

  round trip     geppetto_version (needs no privilege) on an idle connection;
  load           load_project_from_id of the demo (checks READ_PROJECT, then the project);
  round trip, N sockets   the same with N more logged-in connections open, each re-reading its
                 login every `login-recheck` seconds (set short here, to make it show);
  login          POST /login (a scrypt hash check), accounts mode only: no competitor.

    python bench/accounts.py [--messages 400] [--loads 15] [--sockets 100] [--recheck 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from geppetto_dev.protocol import read_frame  # noqa: E402
from tests.accounts.web import Web  # noqa: E402
from tests.support import ServeProcess, add_account, start_serve  # noqa: E402

PASSWORD = "bench-secret-1"
WS_PATH = "/org.geppetto.frontend/GeppettoServlet"


def make_project(root: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "geppetto_dev", "init", "lab", "--skip-frontend"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    project = root / "lab"
    add_account(project, "alice", PASSWORD)
    return project


class Socket:
    def __init__(self, conn: WebSocketClientConnection) -> None:
        self.conn = conn
        self.sent = 0

    @classmethod
    async def open(cls, port: int, cookie: str = "") -> Socket:
        headers = {"Cookie": cookie} if cookie else {}
        conn = await websocket_connect(
            HTTPRequest(f"ws://127.0.0.1:{port}{WS_PATH}", headers=headers)
        )
        await conn.read_message(), await conn.read_message()  # client_id, user_privileges
        return cls(conn)

    async def ask(self, kind: str, data: Any, replies: int = 1) -> float:
        self.sent += 1
        rid = f"b-{self.sent}"
        begin = time.perf_counter()
        await self.conn.write_message(
            json.dumps({"requestID": rid, "type": kind, "data": json.dumps(data)})
        )
        got = 0
        while got < replies:
            frame = await self.conn.read_message()
            assert frame is not None, "closed"
            message = read_frame(frame)
            if message.get("requestID") == rid:
                assert message["type"] not in ("generic_error", "info_message"), message
                got += 1
        return time.perf_counter() - begin


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def interleaved(
    single: Socket, accounts: Socket, measure: Callable[[Socket], Any], times: int
) -> tuple[list[float], list[float]]:
    a: list[float] = []
    b: list[float] = []
    for _ in range(times):
        a.append(await measure(single))
        b.append(await measure(accounts))
    return a, b


def row(name: str, a: list[float], b: list[float]) -> None:
    ma, mb = median_ms(a), median_ms(b)
    print(f"{name:<28} single {ma:8.3f} ms   accounts {mb:8.3f} ms   ratio {mb / ma:5.2f}x")


async def scenario(single: ServeProcess, accounts: ServeProcess, cookie: str, args: Any) -> None:
    one = await Socket.open(single.port)
    two = await Socket.open(accounts.port, cookie)

    def version(s: Socket) -> Any:
        return s.ask("geppetto_version", None)

    def load(s: Socket) -> Any:
        return s.ask("load_project_from_id", {"projectId": 1}, replies=4)

    for s in (one, two):  # models built and kept: a warm server, as users meet it
        await load(s)
        await version(s)
    row("round trip", *await interleaved(one, two, version, args.messages))
    row("load demo project", *await interleaved(one, two, load, args.loads))
    crowd_one = [await Socket.open(single.port) for _ in range(args.sockets)]
    crowd_two = [await Socket.open(accounts.port, cookie) for _ in range(args.sockets)]
    await asyncio.sleep(args.recheck * 2)
    row(
        f"round trip, {args.sockets} more sockets",
        *await interleaved(one, two, version, args.messages),
    )
    for s in [one, two, *crowd_one, *crowd_two]:
        s.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--loads", type=int, default=15)
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--recheck", type=float, default=1.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-accounts-"))
    project = make_project(root)
    env = {"GEPPETTO_DEV_LOGIN_RECHECK": str(args.recheck)}
    single = start_serve(project, env=env)
    accounts = start_serve(project, "--accounts", env=env)
    try:
        web = Web(f"http://127.0.0.1:{accounts.port}")
        logins = []
        for _ in range(5):
            begin = time.perf_counter()
            assert web.login("alice", PASSWORD).status == 303
            logins.append(time.perf_counter() - begin)
        print(f"login (form + POST, scrypt) {median_ms(logins):8.1f} ms median of 5")
        asyncio.run(scenario(single, accounts, web.cookie_header(), args))
    finally:
        single.stop()
        accounts.stop()


if __name__ == "__main__":
    main()
