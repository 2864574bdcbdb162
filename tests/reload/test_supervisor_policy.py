"""The reload policy in milliseconds: scripted events against fake workers, no processes.

The supervisor's loop is fed a list of events (what the watcher, the children and the fork
server would post) and gets its server children from FakeWorkers, which record every call. The
same policy runs against real processes in test_reload_supervisor.py and test_reload_process.py.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.config import load_settings
from geppetto_dev.frontend.buildlog import BUILD_FAILED
from geppetto_dev.problems import BUILD, Problem
from geppetto_dev.reload.inbox import Inbox
from geppetto_dev.reload.messages import (
    Changes,
    Closing,
    Event,
    Exited,
    FrontendBuilt,
    FrontendFailed,
    Go,
    Loaded,
    Preloaded,
    Reload,
    ShowProblems,
    Stop,
)
from geppetto_dev.reload.supervisor import (
    CRASH_WINDOW,
    DRAIN_MARGIN,
    RESTART_DELAYS,
    Supervisor,
)

Log = list[tuple[object, ...]]


@dataclass
class FakeChild:
    pid: int
    log: Log
    started: float
    loaded_at: float | None = None
    stopping: bool = False
    exit_code: int | None = None
    released: threading.Event = field(default_factory=threading.Event)
    sent: list[object] = field(default_factory=list)
    stopped: bool = False

    def send(self, message: Go | Closing | Reload | ShowProblems) -> bool:
        self.sent.append(message)
        self.log.append((self.pid, type(message).__name__))
        return True

    def adopt(self, fd: int) -> bool:
        return True

    def hand_over_to(self, successor: FakeChild) -> None:
        self.log.append((self.pid, "hand_over_to", successor.pid))

    def begin_closing(self) -> None:
        self.stopping = True

    def terminate(self) -> None:
        self.begin_closing()
        self.log.append((self.pid, "terminate"))
        self.released.set()

    def stop(self) -> bool:
        self.terminate()
        self.stopped = True
        self.log.append((self.pid, "stop"))
        return True

    def retire(self, grace: float) -> None:
        self.terminate()
        self.stopped = True
        self.log.append((self.pid, "retire", grace))

    def discard(self) -> None:
        self.log.append((self.pid, "discard"))


class FakeWorkers:
    """Children numbered from 100; `age` is how long ago each new child 'started'."""

    def __init__(self, *, files: frozenset[Path] = frozenset(), age: float = 60.0) -> None:
        self.log: Log = []
        self.children: dict[int, FakeChild] = {}
        self.made: list[FakeChild] = []
        self.files = files
        self.age = age
        self.tainted_by: str | None = None
        self.preloads: list[list[str]] = []
        self.failures: list[str | None] = []  # the error page each child was told to serve

    def start(self) -> None:
        self.log.append(("start",))

    def fresh_child(self, failure: str | None = None) -> FakeChild:
        # Loaded as soon as it started: `age` ago.
        started = time.monotonic() - self.age
        child = FakeChild(100 + len(self.made), self.log, started, loaded_at=started)
        self.children[child.pid] = child
        self.made.append(child)
        self.failures.append(failure)
        self.log.append(("fresh", child.pid))
        return child

    def child(self, pid: int) -> FakeChild | None:
        return self.children.get(pid)

    def forget(self, pid: int) -> None:
        self.children.pop(pid, None)

    def stack_files(self) -> frozenset[Path]:
        return self.files

    def tainted(self) -> str | None:
        return self.tainted_by

    def renew(self) -> None:
        self.log.append(("renew",))
        self.tainted_by = None

    def preload(self, modules: list[str], sys_path: list[str]) -> None:
        self.preloads.append(modules)

    def stop_all(self) -> None:
        self.log.append(("stop_all",))
        for child in self.children.values():
            if not child.stopped:
                child.stop()


@dataclass
class Run:
    workers: FakeWorkers
    out: str
    project: Path

    def child(self, pid: int) -> FakeChild:
        return self.workers.made[pid - 100]

    def index(self, entry: tuple[object, ...]) -> int:
        return self.workers.log.index(entry)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    return tmp_path


@pytest.fixture
def supervise(project: Path) -> Callable[..., Run]:
    def run(
        events: Iterable[Event] | Callable[[Path], Iterable[Event]],
        workers: FakeWorkers | None = None,
        **options: Any,
    ) -> Run:
        settings = load_settings(
            {"app": "app:app", "port": 0, "reload": True}, project_dir=project, environ={}
        )
        workers = workers or FakeWorkers()
        out = io.StringIO()
        script = events(project) if callable(events) else events
        supervisor = Supervisor(
            settings, sockets=[], events=script, workers=workers, out=out, err=out, **options
        )
        assert supervisor.run() == 0
        return Run(workers, out.getvalue(), project)

    return run


def test_the_first_child_is_told_to_go_and_everything_stops_at_the_end(
    supervise: Callable[..., Run],
) -> None:
    done = supervise([])
    assert done.workers.log == [
        ("start",),
        ("fresh", 100),
        (100, "Go"),
        ("stop_all",),
        (100, "terminate"),
        (100, "stop"),
    ]
    assert "Watching for changes in" in done.out


def test_a_save_starts_the_new_server_before_the_old_one_stops(
    supervise: Callable[..., Run],
) -> None:
    done = supervise(lambda project: [Changes(frozenset({project / "app.py"}))])
    assert "Detected changes in 'app.py'. Reloading..." in done.out
    # The new child imports while the old one closes; it accepts once the old one released,
    # and the old one gets drain-timeout for its requests (in the background).
    assert done.child(100).stopping
    retired = (100, "retire", 30.0 + DRAIN_MARGIN)
    assert (
        done.index(("fresh", 101))
        < done.index((100, "hand_over_to", 101))  # its idle kept-alive connections
        < done.index((100, "terminate"))
        < done.index((101, "Go"))
        < done.index(retired)
    )
    assert done.workers.log.count(("fresh", 101)) == 1 and ("fresh", 102) not in done.workers.log


def test_a_save_that_does_not_compile_keeps_the_server_and_the_next_save_recovers(
    supervise: Callable[..., Run],
) -> None:
    def script(project: Path) -> Iterable[Event]:
        bad = project / "app.py"
        bad.write_text("def broken(:\n")
        yield Changes(frozenset({bad}))
        bad.write_text("X = 1\n")
        yield Changes(frozenset({bad}))

    done = supervise(script)
    failure = [m for m in done.child(100).sent if isinstance(m, ShowProblems)]
    assert len(failure) == 1 and failure[0].source == "python"
    (problem,) = failure[0].problems
    assert problem.file is not None and problem.file.endswith("app.py") and problem.line == 1
    assert "Not reloaded: the previous server keeps running." in done.out
    # Only the second (fixed) save made a new server.
    assert done.workers.log.count(("fresh", 101)) == 1
    assert done.index((100, "ShowProblems")) < done.index(("fresh", 101))


def test_a_server_that_dies_after_a_while_is_replaced(supervise: Callable[..., Run]) -> None:
    done = supervise([Exited(100, 3)])
    assert "The server exited unexpectedly (exit code 3); starting a new one." in done.out
    assert done.index((100, "discard")) < done.index(("fresh", 101)) < done.index((101, "Go"))


def test_a_server_that_keeps_dying_at_startup_is_retried_with_backoff_then_an_error_page(
    supervise: Callable[..., Run],
) -> None:
    workers = FakeWorkers(age=0.0)
    assert CRASH_WINDOW > 0.5  # the fake children loaded just now: well inside the window
    scheduled: list[tuple[float, Event]] = []

    def script(project: Path) -> Iterable[Event]:
        yield Exited(100, 1)  # the first crash: tried again at once
        yield Exited(101, 1)
        assert ("fresh", 102) not in workers.log  # after a delay (a timer posts Respawn)
        for expected in range(2, len(RESTART_DELAYS) + 1):
            yield scheduled[-1][1]
            yield Exited(100 + expected, 1)
        # One crash too many: an error page, from a server that does not import the project.
        fallback = 100 + len(RESTART_DELAYS) + 1
        assert workers.failures[fallback - 100] is not None
        yield Exited(fallback, 1)  # even that one died: nothing more until the next save
        assert ("fresh", fallback + 1) not in workers.log
        yield Changes(frozenset({project / "app.py"}))

    done = supervise(script, workers, later=lambda delay, event: scheduled.append((delay, event)))
    assert [delay for delay, _event in scheduled] == list(RESTART_DELAYS[1:])
    assert "The server exited right after starting (exit code 1); starting a new one." in done.out
    assert "starting a new one in 0.5 s." in done.out
    crashes = len(RESTART_DELAYS) + 1
    assert (
        f"The server exited right after starting, {crashes} times in a row (exit code 1); "
        "serving an error page until the next save." in done.out
    )
    page = workers.failures[crashes]
    assert page is not None and f"{crashes} times in a row" in page
    assert "The error page server exited too (exit code 1); waiting for the next save." in done.out
    # Every new server was told to accept; the save starts one loading the project again.
    save = crashes + 1
    assert all((100 + n, "Go") in done.workers.log for n in range(save))
    assert workers.failures[save] is None and done.index(("fresh", 100 + save)) < done.index(
        (100 + save, "Go")
    )


def test_a_save_during_the_backoff_replaces_the_pending_retry(
    supervise: Callable[..., Run],
) -> None:
    workers = FakeWorkers(age=0.0)
    scheduled: list[tuple[float, Event]] = []

    def script(project: Path) -> Iterable[Event]:
        yield Exited(100, 1)
        yield Exited(101, 1)  # a retry is scheduled
        yield Changes(frozenset({project / "app.py"}))  # the save starts 102 at once
        yield scheduled[-1][1]  # the timer fires later: stale, ignored
        yield Exited(102, 1)  # a new save, a new count: tried again at once

    done = supervise(script, workers, later=lambda delay, event: scheduled.append((delay, event)))
    assert len(scheduled) == 1 and "Detected changes in 'app.py'" in done.out
    assert [entry for entry in workers.log if entry[0] == "fresh"] == [
        ("fresh", 100),
        ("fresh", 101),
        ("fresh", 102),
        ("fresh", 103),
    ]


def test_the_exit_of_a_server_being_replaced_is_not_a_crash(
    supervise: Callable[..., Run],
) -> None:
    done = supervise(lambda project: [Changes(frozenset({project / "app.py"})), Exited(100, 0)])
    assert "exited" not in done.out
    assert ("fresh", 102) not in done.workers.log


def test_an_edit_of_the_server_stack_renews_the_fork_server_after_the_old_server_stops(
    supervise: Callable[..., Run], tmp_path: Path
) -> None:
    stack = (tmp_path / "flask_copy.py").resolve()
    stack.write_text("X = 1\n")
    done = supervise([Changes(frozenset({stack}))], FakeWorkers(files=frozenset({stack})))
    assert "The server stack itself changed; restarting the fork server." in done.out
    # Its children die with the fork server: the old server stops first.
    assert done.index((100, "stop")) < done.index(("renew",)) < done.index(("fresh", 101))


def test_a_tainted_fork_server_is_renewed_and_preloading_stops(
    supervise: Callable[..., Run],
) -> None:
    workers = FakeWorkers()
    workers.tainted_by = "a preloaded module started 1 thread(s)"
    site = "/usr/lib/python3/site-packages/numpy/__init__.py"

    def script(project: Path) -> Iterable[Event]:
        yield Preloaded(frozenset(), workers.tainted_by)
        yield Changes(frozenset({project / "app.py"}))
        yield Loaded(101, ok=True, modules=(("numpy", site),))

    done = supervise(script, workers)
    assert "warning: a preloaded module started 1 thread(s) while preloading" in done.out
    assert "Restarting the fork server, without preloading." in done.out
    assert done.index(("renew",)) < done.index(("fresh", 101))
    assert workers.preloads == []


def test_only_unwatched_modules_not_in_the_fork_server_are_preloaded(
    supervise: Callable[..., Run], tmp_path: Path
) -> None:
    stack = Path("/usr/lib/python3/site-packages/flask/__init__.py")
    workers = FakeWorkers(files=frozenset({stack}))

    def script(project: Path) -> Iterable[Event]:
        yield Loaded(
            100,
            ok=True,
            modules=(
                ("app", str(project / "app.py")),  # a watched source: changes, never preloaded
                ("flask", str(stack)),  # already in every fork
                ("numpy", "/usr/lib/python3/site-packages/numpy/__init__.py"),
            ),
            sys_path=("/somewhere",),
        )

    done = supervise(script, workers)
    assert workers.preloads == [["numpy"]]
    assert "failed to load" not in done.out


def test_a_load_failure_of_the_current_server_is_reported(supervise: Callable[..., Run]) -> None:
    done = supervise([Loaded(100, ok=False, error="Traceback ...")])
    assert "The app failed to load; serving an error page until the next save." in done.out


def test_a_finished_frontend_build_reloads_the_pages_of_the_current_server(
    supervise: Callable[..., Run],
) -> None:
    done = supervise([FrontendBuilt()])
    assert done.child(100).sent == [Go(), Reload()]
    assert "Frontend build finished; reloading open pages." in done.out


def test_a_failed_build_shows_on_every_server_until_a_build_succeeds(
    supervise: Callable[..., Run],
) -> None:
    problems = (Problem(BUILD_FAILED, "SyntaxError", "Unexpected token", source=BUILD),)

    def script(project: Path) -> Iterable[Event]:
        yield FrontendFailed(problems)
        (project / "app.py").write_text("X = 2\n")
        yield Changes(frozenset({project / "app.py"}))  # the next server shows them too
        yield FrontendBuilt()

    done = supervise(script)
    shown = ShowProblems(BUILD, problems)
    assert done.child(100).sent == [Go(), shown]
    assert done.child(101).sent == [Go(), shown, ShowProblems(BUILD), Reload()]
    assert "Frontend build failed; open pages show its errors." in done.out


def test_stop_ends_the_session_and_later_events_are_not_handled(
    supervise: Callable[..., Run],
) -> None:
    done = supervise([Stop(), FrontendBuilt()])
    assert Reload() not in done.child(100).sent
    assert done.workers.log[-3:] == [("stop_all",), (100, "terminate"), (100, "stop")]


def test_the_inbox_merges_saves_that_queued_up_into_one_reload() -> None:
    inbox = Inbox()
    a, b, c = Path("a.py"), Path("b.py"), Path("c.py")
    for event in (
        Changes(frozenset({a})),
        Changes(frozenset({b})),
        FrontendBuilt(),
        Changes(frozenset({c})),
    ):
        inbox.put(event)
    events = iter(inbox)
    assert next(events) == Changes(frozenset({a, b}))
    assert next(events) == FrontendBuilt()  # order kept: not pushed behind later saves
    assert next(events) == Changes(frozenset({c}))
