"""The reload machinery's parts: what is watched, compile checks, the page script, channels."""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

import pytest

from geppetto_dev.config import load_settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.problems import Problem
from geppetto_dev.procs.channel import Channel, ChannelClosed
from geppetto_dev.reload.compilecheck import compile_error
from geppetto_dev.reload.livereload import script_tag
from geppetto_dev.reload.watch import Watcher, plan_watch
from geppetto_dev.server.pagescript import inject_script, is_page


def touch(path: Path, text: str = "X = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_filter_takes_project_sources_and_nothing_heavy(tmp_path: Path) -> None:
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    settings = load_settings(
        {"reload": True, "reload_excludes": ("migrations", "*_scratch.py")}, project_dir=tmp_path
    )
    source = plan_watch(settings).filter
    root = tmp_path.resolve()
    assert source.accepts(root / "app.py")
    assert source.accepts(root / "pkg" / "views" / "people.py")
    for ignored in (
        "README.md",
        "app.pyc",
        "node_modules/pkg/x.py",
        "pkg/node_modules/x.py",
        ".venv/lib/site.py",
        "env/lib/python3.11/site-packages/flask/app.py",
        "frontend/src/main/webapp/x.py",
        "build/lib/app.py",
        "dist/app.py",
        "pkg/__pycache__/app.py",
        "geppetto_app.egg-info/x.py",
        "migrations/0001.py",
        "pkg/notes_scratch.py",
    ):
        assert not source.accepts(root / ignored), ignored
    assert not source.accepts(Path("/elsewhere/app.py"))


def test_reload_dirs_replace_the_project_folder_and_must_exist(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    plan = plan_watch(
        load_settings({"reload": True, "reload_dirs": (Path("src"),)}, project_dir=tmp_path)
    )
    assert plan.roots == ((tmp_path / "src").resolve(),)
    assert not plan.filter.accepts(tmp_path.resolve() / "app.py")
    with pytest.raises(GeppettoDevError, match="reload directory 'nope' does not exist"):
        plan_watch(
            load_settings({"reload": True, "reload_dirs": (Path("nope"),)}, project_dir=tmp_path)
        )


def test_heavy_folders_are_never_registered_with_the_watcher(tmp_path: Path) -> None:
    for folder in ("pkg", "node_modules", "frontend", ".git", "build", "tests"):
        (tmp_path / folder).mkdir()
    settings = load_settings({"reload": True, "reload_excludes": ("tests",)}, project_dir=tmp_path)
    assert [p.name for p in plan_watch(settings).subdirs()] == ["pkg"]
    assert plan_watch(settings).describe() == (
        f"'{tmp_path.resolve()}' (Python files and pyproject.toml; excluding 'tests')"
    )


def test_the_watcher_reports_sources_only_even_in_new_folders(tmp_path: Path) -> None:
    touch(tmp_path / "pkg" / "a.py")
    (tmp_path / "node_modules").mkdir()
    changes: queue.SimpleQueue[set[Path]] = queue.SimpleQueue()
    watcher = Watcher(plan_watch(load_settings(project_dir=tmp_path)), changes.put)
    watcher.start()
    root = tmp_path.resolve()
    try:
        # Once ready, a single save is seen (the supervisor lets the first server in after this).
        assert watcher.wait_ready(10)
        touch(root / "pkg" / "a.py", "X = 2\n")
        assert changes.get(timeout=10) == {root / "pkg" / "a.py"}
        # Ignored writes come first; the next report holds only the source written after them.
        touch(root / "node_modules" / "x.py")
        touch(root / "notes.txt", "hi")
        touch(root / "app.py")
        assert changes.get(timeout=10) == {root / "app.py"}
        # A folder created after the start is watched too (the top level is rescanned).
        (root / "newpkg").mkdir()
        for attempt in range(500):
            touch(root / "newpkg" / "b.py", f"X = {attempt}\n")
            try:
                got = changes.get(timeout=0.05)
            except queue.Empty:
                continue
            if root / "newpkg" / "b.py" in got:
                break
        else:
            pytest.fail("a change in a new folder was never reported")
    finally:
        watcher.stop()


def test_compile_error_names_the_file_line_and_problem(tmp_path: Path) -> None:
    assert compile_error(touch(tmp_path / "good.py", "def f():\n    return 1\n")) is None
    bad = touch(tmp_path / "bad.py", "x = 1\ndef f(:\n    return 1\n")
    error = compile_error(bad)
    assert error is not None
    assert (error.title, error.file, error.line, error.column) == ("SyntaxError", str(bad), 2, 7)
    assert error.code == ((1, "x = 1"), (2, "def f(:"), (3, "    return 1"))
    assert 'bad.py", line 2' in error.text() and "SyntaxError" in error.text()
    assert error.heading.startswith("Not reloaded")
    nul = compile_error(touch(tmp_path / "nul.py", "x = 1\0\n"))
    assert nul is not None and nul.file == str(tmp_path / "nul.py")
    assert compile_error(tmp_path / "gone.py") is None
    assert not (tmp_path / "__pycache__").exists()  # checked in memory, no .pyc written


def test_the_script_goes_before_the_last_body_end_of_pages_only() -> None:
    page = b"<!DOCTYPE html><html><body><p>x</p></BODY></html>"
    tag = script_tag("boot-1")
    injected = inject_script(page, tag)
    assert injected.index(b"data-geppetto-livereload") < injected.index(b"</BODY>")
    assert b'"boot-1"' in injected
    # The inlined script and styles end nowhere but at their own end tag.
    assert tag.count("</") == 1 and tag.endswith("</script>")
    assert inject_script(b"<html><p>no body end", tag).endswith(b"</script>")
    assert is_page(page)
    assert not is_page(b"ok")
    assert not is_page(b'{"html": "<b>bold</b>"}')


def test_a_channel_carries_messages_and_descriptors_and_ends_on_close() -> None:
    ours, theirs_sock = Channel.pair()
    theirs = Channel(theirs_sock)
    read_end, write_end = os.pipe()
    try:
        ours.send({"cmd": "fork", "big": "x" * 100_000}, fds=[read_end])
        message, fds = theirs.recv()
        assert message == {"cmd": "fork", "big": "x" * 100_000}
        assert len(fds) == 1
        os.write(write_end, b"!")
        assert os.read(fds[0], 1) == b"!"  # the very same pipe, through another descriptor
        os.close(fds[0])
    finally:
        os.close(read_end)
        os.close(write_end)
    # Closing while another thread is blocked reading must still reach the other end.
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.append(_drain(ours)))
    reader.start()
    threading.Event().wait(0.05)
    ours.close()
    reader.join(5)
    assert seen == ["closed"]
    with pytest.raises(ChannelClosed):
        theirs.recv()
    with pytest.raises(ChannelClosed):
        ours.send({"late": True})
    theirs.close()


def _drain(channel: Channel) -> str:
    try:
        while True:
            channel.recv()
    except ChannelClosed:
        return "closed"


def test_a_channel_end_held_only_by_a_dead_process_reads_as_closed() -> None:
    ours, theirs = Channel.pair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        ours.sock.close()
        os._exit(0)
    theirs.close()  # the child had the only other copy, and it is gone
    os.waitpid(pid, 0)
    with pytest.raises(ChannelClosed):
        ours.recv()
    ours.close()


def test_the_load_error_page_shows_the_traceback_to_this_machine_only() -> None:
    from geppetto_dev.reload.child import LOAD_FAILED, failure_app
    from geppetto_dev.server.traceback_policy import TracebackPolicy

    problem = Problem(LOAD_FAILED, "RuntimeError", "secret detail", "/p/app.py", 3)
    loopback = TracebackPolicy(dev=True, bound_host="127.0.0.1")
    client = failure_app([problem], loopback).test_client()
    local = client.get("/api/people", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert local.status_code == 500
    assert "secret detail" in local.get_data(as_text=True)
    remote = client.post("/", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert remote.status_code == 500
    assert "The app failed to load" in remote.get_data(as_text=True)
    assert "secret detail" not in remote.get_data(as_text=True)
    # Bound beyond loopback: this machine's clients get the plain page too.
    wide = failure_app([problem], TracebackPolicy(dev=True, bound_host="0.0.0.0")).test_client()
    plain = wide.get("/", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert plain.status_code == 500 and "secret detail" not in plain.get_data(as_text=True)


def test_a_failing_watch_is_reported_and_falls_back_to_polling(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    plan = plan_watch(load_settings(project_dir=tmp_path))
    errors: queue.SimpleQueue[str] = queue.SimpleQueue()
    vanished = tmp_path / "vanished"  # listed, then gone before the watch starts

    class Plan(type(plan)):  # type: ignore[misc]
        def subdirs(self) -> list[Path]:
            return [vanished]

    watcher = Watcher(Plan(plan.roots, plan.filter), lambda paths: None, on_error=errors.put)
    watcher.start()
    try:
        first = errors.get(timeout=10)
        assert "file watching failed" in first
        assert "polling for changes instead" in first
        assert watcher.force_polling is True
    finally:
        watcher.stop()
    assert not any(t.is_alive() for t in watcher._threads)
