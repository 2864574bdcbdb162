"""`geppetto-dev serve --reload` as a real process: edits, errors, signals, the port, children."""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from geppetto_dev.reload.supervisor import RESTART_DELAYS
from tests.reload.reloading import (
    LiveSocket,
    ReloadServer,
    get,
    hello,
    make_project,
    start_reload_server,
    write_message,
)
from tests.support import REPO, SERVING, descendants, pid_alive, start_serve, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process tests")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def server(project: Path) -> Iterator[ReloadServer]:
    server = start_reload_server(project, "--app", "app:app", "--no-inspector")
    yield server
    server.stop(signal.SIGKILL)


def test_an_edit_is_served_by_new_code_and_no_connection_is_refused(server: ReloadServer) -> None:
    assert server.fetch() == (200, "v1")
    assert f"Watching for changes in '{server.project.resolve()}'" in server.text()
    refused = 0
    dropped: list[str] = []
    answered = 0
    stop = threading.Event()

    def hammer() -> None:
        nonlocal refused, answered
        while not stop.is_set():
            try:
                status, _body = server.fetch()
            except ConnectionRefusedError:
                refused += 1
            except (OSError, http.client.HTTPException) as exc:  # reset, closed unanswered
                dropped.append(repr(exc))
            else:
                if status != 200:
                    dropped.append(f"status {status}")
                answered += 1

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        for version in ("v2", "v3", "v4"):
            mark = len(server.output)
            write_message(server.project, version)
            server.wait_text(version)
            server.wait_output("Detected changes in 'message.py'. Reloading...", mark)
    finally:
        stop.set()
        thread.join()
    assert refused == 0
    assert dropped == []
    assert answered > 0


def test_a_save_that_does_not_compile_keeps_the_server_and_the_next_save_recovers(
    server: ReloadServer,
) -> None:
    (server.project / "message.py").write_text('TEXT = "v2\n')
    server.wait_output("Not reloaded: the previous server keeps running.")
    assert "SyntaxError" in server.text()
    assert server.fetch() == (200, "v1")
    # Another file saving fine does not hide the broken one.
    (server.project / "other.py").write_text("X = 1\n")
    wait_until(lambda: server.text().count("Not reloaded") >= 2, what="a second refusal")
    assert server.fetch() == (200, "v1")
    write_message(server.project, "v2")
    server.wait_text("v2")


def test_an_app_failing_at_import_shows_an_error_page_until_the_next_save(
    server: ReloadServer,
) -> None:
    (server.project / "message.py").write_text("raise RuntimeError('boom at import')\n")
    wait_until(lambda: server.fetch()[0] == 500, what="the error page")
    status, body = server.fetch("/anything")
    assert status == 500
    assert "The app failed to load" in body
    assert "boom at import" in body  # the client is on loopback: the traceback is shown
    assert "geppetto_dev/reload/child.py" not in body  # only the project's frames
    server.wait_output("serving an error page until the next save")
    write_message(server.project, "fixed")
    server.wait_text("fixed")


def test_a_server_stopped_by_sigterm_ends_every_process_and_frees_the_port(
    server: ReloadServer,
) -> None:
    children = descendants(server.proc.pid)
    assert len(children) >= 2  # the fork server and the server child
    assert server.stop(signal.SIGTERM) == 0  # (after 10 s it would be killed: -9)
    assert not [pid for pid in children if pid_alive(pid)]
    assert nothing_listens_on(server.port)


def test_sigkill_of_the_supervisor_takes_every_child_along(server: ReloadServer) -> None:
    children = descendants(server.proc.pid)
    assert children
    server.proc.kill()
    server.proc.wait()
    wait_until(lambda: not any(pid_alive(pid) for pid in children), 10, "children to die")
    # A server forked after the snapshot above dies by its parent's death too, a moment later.
    try:
        wait_until(lambda: nothing_listens_on(server.port), 10, "the port to be free")
    except AssertionError:
        raise AssertionError(f"port {server.port} still held: {holders(server.port)}") from None


def holders(port: int) -> list[str]:
    """The processes holding a listening socket on `port` (pid and command line), from /proc."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inodes.add(fields[9])
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                    found.append(f"{pid} {command.decode(errors='replace').strip()}")
                    break
    return found or [f"no process (sockets {sorted(inodes)})"]


def nothing_listens_on(port: int) -> bool:
    """Whether a new server could bind the port. SO_REUSEADDR, as servers set it: otherwise a
    connection of another test still in TIME_WAIT on this port number would count as a holder."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what a shell does for `cmd &`


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_background_launch_with_sigint_ignored_still_stops_cleanly(
    project: Path, sig: signal.Signals
) -> None:
    server = start_reload_server(project, "--app", "app:app", preexec=_ignore_sigint)
    try:
        children = descendants(server.proc.pid)
        write_message(project, "v2")
        server.wait_text("v2")
        children |= descendants(server.proc.pid)
        assert server.stop(sig) == 0
        assert not [pid for pid in children if pid_alive(pid)]
    finally:
        server.stop(signal.SIGKILL)


def test_a_busy_port_is_one_line_before_anything_starts(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = start_reload_server(
            project, "--app", "app:app", "--port", str(port), expect_serving=False
        )
        code = server.proc.wait(30)
        server.pump.join(10)
    assert code == 1
    assert server.output == [
        f"error: port {port} on 127.0.0.1 is already in use; stop the other server or pick "
        f"another port, e.g. --port {port + 1}\n"
    ]


def test_a_missing_reload_dir_is_one_line(project: Path) -> None:
    server = start_reload_server(
        project, "--app", "app:app", "--reload-dir", "nope", expect_serving=False
    )
    assert server.proc.wait(30) == 1
    server.pump.join(10)
    assert server.text().startswith("error: reload directory 'nope' does not exist;")
    assert "Traceback" not in server.text()


def test_open_websockets_are_closed_with_1012_on_reload(server: ReloadServer) -> None:
    from tornado.ioloop import IOLoop
    from tornado.websocket import websocket_connect

    async def scenario() -> int | None:
        url = f"ws://127.0.0.1:{server.port}/org.geppetto.frontend/GeppettoServlet"
        conn = await websocket_connect(url)
        first = await conn.read_message()
        assert first is not None and "client_id" in str(first)
        write_message(server.project, "v2")
        while await conn.read_message() is not None:
            pass
        return conn.close_code

    assert IOLoop.current().run_sync(scenario, timeout=20) == 1012


def test_live_reload_socket_announces_a_new_server_and_compile_errors(
    server: ReloadServer,
) -> None:
    sock, boot = hello(server.port)
    (server.project / "message.py").write_text("TEXT = (\n")
    message = sock.next_message()
    assert message is not None and message["type"] == "problems"
    (problem,) = message["problems"]
    assert problem["title"] == "SyntaxError" and problem["line"] == 1
    assert problem["file"] == str((server.project / "message.py").resolve())
    write_message(server.project, "v2")
    assert sock.next_message() is None  # the old server closes it on its way out...
    assert sock.close_code == 1012  # ...as a service restart
    sock.close()
    sock, new_boot = hello(server.port)
    assert new_boot != boot
    sock.close()
    server.wait_text("v2")


def test_a_local_post_reloads_every_page(server: ReloadServer) -> None:
    sock, _boot = hello(server.port)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", "/_geppetto/livereload")
    assert conn.getresponse().status == 200
    conn.close()
    assert sock.next_message() == {"type": "reload"}
    sock.close()


def test_the_live_reload_socket_refuses_other_sites_pages(server: ReloadServer) -> None:
    with pytest.raises(HTTPClientError) as refused:
        LiveSocket(server.port, origin="http://evil.example")
    assert refused.value.code == 403


def test_pages_get_the_live_reload_script_and_other_responses_do_not(
    server: ReloadServer,
) -> None:
    status, page = server.fetch("/page")
    assert status == 200
    assert page.count("data-geppetto-livereload") == 1
    assert page.index("data-geppetto-livereload") < page.index("</body>")
    assert server.fetch("/text") == (200, "v1")


def test_the_port_stays_bound_while_the_server_is_replaced(server: ReloadServer) -> None:
    # Connect while no server child is accepting: the connection waits and is then answered.
    write_message(server.project, "v2")
    for _ in range(50):
        try:
            status, _body = server.fetch()
        except OSError as exc:
            assert exc.errno != errno.ECONNREFUSED
            raise
        assert status == 200
    server.wait_text("v2")


def test_a_request_in_progress_is_finished_while_the_new_server_already_answers(
    server: ReloadServer,
) -> None:
    slow: list[tuple[int, str]] = []
    thread = threading.Thread(target=lambda: slow.append(server.fetch("/slow")))
    thread.start()
    wait_until((server.project / "slow-started").exists, what="the slow view to start")
    write_message(server.project, "v2")
    server.wait_text("v2")  # the new server answers while the old one still works on /slow
    (server.project / "slow-release").write_text("go")
    thread.join(15)
    assert slow == [(200, "slow v1")]  # answered by the old code, not cut off


def test_without_reload_serve_is_one_plain_process(project: Path) -> None:
    served = start_serve(project, "--app", "app:app")
    try:
        assert SERVING.search(served.output[0]), served.text()  # the first line it prints
        status, body = get(served.port, "/page")
        assert status == 200
        assert "data-geppetto-livereload" not in body
        assert descendants(served.proc.pid) == set()  # no fork server, no server child
    finally:
        served.stop()


def test_reload_options_without_reload_are_one_error_line(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "geppetto_dev", "serve", "--reload-dir", "."],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "error: --reload-dir and --reload-exclude only apply with --reload; add --reload\n"
    )


DEPENDENCY_APP = """\
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))

import heavydep  # noqa: E402
from app_base import app  # noqa: E402, F401
"""

HEAVY = """\
import os
import threading

with open(os.path.join(os.path.dirname(__file__), "..", "imports.log"), "a") as log:
    log.write(f"{os.getpid()}\\n")
if os.environ.get("HEAVY_STARTS_THREAD"):
    threading.Thread(target=threading.Event().wait, daemon=True).start()
"""


def _dependency_project(project: Path) -> Path:
    (project / "app.py").rename(project / "app_base.py")
    (project / "app.py").write_text(DEPENDENCY_APP)
    (project / "vendor").mkdir()
    (project / "vendor" / "heavydep.py").write_text(HEAVY)
    return project / "imports.log"


def _importers(log: Path) -> list[int]:
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def test_unwatched_dependencies_are_imported_once_not_on_every_reload(project: Path) -> None:
    log = _dependency_project(project)
    server = start_reload_server(project, "--app", "app:app", "--reload-exclude", "vendor")
    try:
        # The first server imports it; then the fork server does, for every later server.
        wait_until(lambda: len(_importers(log)) == 2, what="the fork server to preload")
        assert _importers(log)[1] in descendants(server.proc.pid)
        for version in ("v2", "v3"):
            write_message(project, version)
            server.wait_text(version)
        assert len(_importers(log)) == 2
    finally:
        server.stop(signal.SIGKILL)


def test_a_dependency_that_starts_a_thread_ends_preloading(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEAVY_STARTS_THREAD", "1")
    log = _dependency_project(project)
    server = start_reload_server(project, "--app", "app:app", "--reload-exclude", "vendor")
    try:
        server.wait_output("warning: a preloaded module started 1 thread(s) while preloading")
        assert len(_importers(log)) == 2
        write_message(project, "v2")
        server.wait_text("v2")
        assert "Restarting the fork server, without preloading." in server.text()
        assert "The server stack itself changed" not in server.text()
        write_message(project, "v3")
        server.wait_text("v3")
        # The clean fork server never imports it again: each new server does.
        assert len(_importers(log)) == 4
    finally:
        server.stop(signal.SIGKILL)


def test_a_connection_accepted_before_a_reload_is_answered_when_it_speaks_later(
    server: ReloadServer,
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as quiet:
        time.sleep(0.05)  # accepted by the current server, which then gets replaced
        saved = time.monotonic()
        write_message(server.project, "v2")
        server.wait_text("v2")
        # A client slow to send (a loaded machine): the old server waits for it (up to 0.5 s).
        time.sleep(max(0.0, saved + 0.25 - time.monotonic()))
        quiet.sendall(b"GET /text HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := quiet.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b"v1")  # the old server kept its promise


def test_reload_exclude_leaves_files_out(project: Path) -> None:
    (project / "notes").mkdir()
    server = start_reload_server(
        project, "--app", "app:app", "--reload-exclude", "scratch_*.py", "--reload-exclude", "notes"
    )
    try:
        assert "(Python files and pyproject.toml; excluding 'scratch_*.py', 'notes')" in (
            server.text()
        )
        (project / "scratch_one.py").write_text("X = 1\n")
        (project / "notes" / "draft.py").write_text("X = 1\n")
        write_message(project, "v2")
        server.wait_text("v2")
        detected = [line for line in server.output if line.startswith("Detected changes")]
        assert detected == ["Detected changes in 'message.py'. Reloading...\n"]
    finally:
        server.stop(signal.SIGKILL)


def test_an_app_that_keeps_dying_at_import_gets_an_error_page_not_hanging_requests(
    project: Path,
) -> None:
    (project / "message.py").write_text("import os\n\nos._exit(3)\n")
    # Tried again with backoff, then the error page: until then connections wait queued.
    server = start_reload_server(project, "--app", "app:app")
    crashes = len(RESTART_DELAYS) + 1
    try:
        status, body = server.fetch("/anything")
        assert status == 500
        assert "The server keeps exiting" in body and f"{crashes} times in a row" in body
        # No busy loop: it stopped trying.
        assert server.text().count("The server exited right after starting") == crashes
        write_message(project, "fixed")
        server.wait_text("fixed")
    finally:
        server.stop(signal.SIGKILL)
