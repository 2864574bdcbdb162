"""What clients of the old server see at a reload: requests in progress and keep-alive reuse.

A real `serve --reload` process; the app stores each POST's body in rows.txt and answers
"stored <text>", so a test can tell an acknowledged write from a stored one.
"""

from __future__ import annotations

import http.client
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reload.reloading import (
    APP,
    ReloadServer,
    make_project,
    start_reload_server,
    wait_until,
    write_message,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process tests")

ROWS_APP = (
    APP
    + """

@app.post("/rows")
def add_row():
    import pathlib, time
    from flask import request

    delay = float(request.args.get("delay", "0"))
    if delay:
        pathlib.Path("slow-started").write_text("yes")
        time.sleep(delay)
    with open("rows.txt", "a") as rows:
        rows.write(request.get_data(as_text=True) + "\\n")
    return "stored " + message.TEXT
"""
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ReloadServer]:
    project = make_project(tmp_path)
    (project / "app.py").write_text(ROWS_APP)
    server = start_reload_server(project, "--app", "app:app", "--no-inspector")
    yield server
    server.stop(signal.SIGKILL)


def rows(server: ReloadServer) -> list[str]:
    path = server.project / "rows.txt"
    return path.read_text().splitlines() if path.exists() else []


def post(conn: http.client.HTTPConnection, path: str, body: str) -> tuple[int, str]:
    conn.request("POST", path, body=body)
    response = conn.getresponse()
    return response.status, response.read().decode()


def test_a_slow_view_in_progress_at_a_save_is_answered_and_its_write_acknowledged(
    server: ReloadServer,
) -> None:
    answers: list[tuple[int, str] | Exception] = []

    def slow_post() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            answers.append(post(conn, "/rows?delay=2", "slow row"))
        except (OSError, http.client.HTTPException) as exc:  # cut: reset or closed unanswered
            answers.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=slow_post)
    thread.start()
    wait_until((server.project / "slow-started").exists, 15, "the slow view to start")
    write_message(server.project, "v2")
    server.wait_text("v2")  # the new server answers while the old one still runs the view
    thread.join(60)
    assert answers == [(200, "stored v1")]  # answered by the old server, not cut
    assert rows(server) == ["slow row"]  # what was acknowledged is stored, once


def test_a_keep_alive_client_sees_no_failure_across_saves(server: ReloadServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    failures: list[str] = []
    stored: list[str] = []
    sent = 0

    def send_row() -> str:
        """One POST on the kept-alive connection; the answer, or "" when it failed."""
        nonlocal sent
        body = f"row {sent}"
        sent += 1
        try:
            status, answer = post(conn, "/rows", body)
        except (OSError, http.client.HTTPException) as exc:
            failures.append(repr(exc))
            conn.close()  # the next request opens a new connection
            return ""
        if status != 200:
            failures.append(f"status {status}: {answer}")
        else:
            stored.append(body)
        return answer

    try:
        for version in ("v2", "v3", "v4", "v5", "v6"):
            write_message(server.project, version)
            wait_until(lambda v=version: send_row() == f"stored {v}", 30, f"{version} served")
    finally:
        conn.close()
    assert failures == []
    assert rows(server) == stored  # every acknowledged POST stored, once, in order
