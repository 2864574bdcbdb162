"""Run several processes in one terminal, honcho-style, and stop all of them cleanly.

Each process gets its own process group (a new session), so stopping it reaches the whole tree:
`npm run watch` starts a shell that starts node, and signalling npm alone leaves webpack running.
Ctrl-C reaches only this process (the children are in no terminal's foreground group), which then
stops every group: SIGTERM, a bounded wait, SIGKILL. Each group is led by a small guard
(guard.py) that ends its group when the runner dies, even by SIGKILL.

Every output line is shown prefixed by the process's name (`server |`, `webpack |`), coloured on
a terminal. A process marked `critical=False` may die without taking the others down: its exit is
reported and the rest keep running.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from geppetto_dev.procs.groups import popen_exited, stop_group
from geppetto_dev.procs.guard import guarded
from geppetto_dev.procs.signals import on_stop_signals

__all__ = ["ProcessSpec", "Runner"]

_COLOURS = ("36", "33", "32", "35", "34", "31")  # cyan, yellow, green, magenta, blue, red


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: Sequence[str]
    cwd: Path | None = None
    env: Mapping[str, str] | None = None
    # When a critical process exits, the runner stops the others and returns its exit code.
    critical: bool = True
    # Called from a reader thread with every output line (e.g. to spot "build finished").
    on_line: Callable[[str], None] | None = field(default=None, compare=False)
    # Descriptors the process inherits (listening sockets, a channel to this process).
    pass_fds: tuple[int, ...] = ()


class _Stop(Exception):
    """Raised in the main thread by the SIGTERM handler."""


class Runner:
    """Start the processes, show their output, stop them all; `run()` returns an exit code."""

    def __init__(
        self,
        specs: Sequence[ProcessSpec],
        *,
        out: TextIO | None = None,
        colour: bool | None = None,
        stop_timeout: float = 5.0,
    ) -> None:
        self.specs = list(specs)
        self.out = out if out is not None else sys.stdout
        if colour is None:
            colour = self.out.isatty() and "NO_COLOR" not in os.environ
        self.colour = colour
        self.stop_timeout = stop_timeout
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._width = max((len(s.name) for s in self.specs), default=0)
        self._lock = threading.Lock()
        self._events: queue.Queue[tuple[str, int] | None] = queue.Queue()
        self._readers: list[threading.Thread] = []
        self._stopping = False

    # Output -------------------------------------------------------------------------------

    def _prefix(self, name: str) -> str:
        label = f"{name:<{self._width}} |"
        if not self.colour:
            return label
        names = [s.name for s in self.specs]
        index = names.index(name) if name in names else 0
        return f"\x1b[{_COLOURS[index % len(_COLOURS)]}m{label}\x1b[0m"

    def say(self, name: str, line: str) -> None:
        with self._lock:
            self.out.write(f"{self._prefix(name)} {line}\n")
            self.out.flush()

    def _read(self, spec: ProcessSpec, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            # A progress bar redraws itself with \r: after a prefix, only its last state reads.
            line = next((part for part in reversed(line.split("\r")) if part.strip()), "")
            self.say(spec.name, line)
            if spec.on_line is not None:
                try:
                    spec.on_line(line)
                except Exception as exc:  # a broken hook must not silence the process
                    self.say(spec.name, f"(output hook failed: {exc!r})")
        code = proc.wait()
        self._events.put((spec.name, code))

    # Lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        for spec in self.specs:
            env = dict(spec.env) if spec.env is not None else dict(os.environ)
            env.setdefault("PYTHONUNBUFFERED", "1")
            try:
                proc = subprocess.Popen(
                    guarded(spec.argv, spec.pass_fds),
                    pass_fds=spec.pass_fds,
                    cwd=spec.cwd,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as exc:
                self.say(spec.name, f"cannot start {spec.argv[0]}: {exc}")
                self._events.put((spec.name, 127))
                continue
            self.procs[spec.name] = proc
            reader = threading.Thread(target=self._read, args=(spec, proc), daemon=True)
            reader.start()
            self._readers.append(reader)

    def stop(self) -> None:
        """Stop every process group (in parallel: each has its own bounded wait)."""
        threads = [
            threading.Thread(
                target=stop_group,
                args=(proc.pid, popen_exited(proc)),
                kwargs={"grace": self.stop_timeout, "kill_wait": self.stop_timeout},
            )
            for proc in self.procs.values()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for reader in self._readers:
            reader.join(timeout=2)

    def request_stop(self) -> None:
        """Ask `run()` to stop everything and return 0; safe from any thread."""
        self._events.put(None)

    def run(self) -> int:
        """Run until a critical process exits (its code), all exit, or a stop request (0)."""
        restore = on_stop_signals(self._on_stop_signal)
        try:
            self.start()
            return self._wait()
        except (KeyboardInterrupt, _Stop):
            return 0
        finally:
            # A second Ctrl-C while the groups stop (a bounded wait) must not cut that short.
            self._stopping = True
            self.stop()
            restore()

    def _wait(self) -> int:
        critical = {s.name for s in self.specs if s.critical}
        running = {s.name for s in self.specs}
        code = 0
        while running:
            event = self._events.get()
            if event is None:
                return 0
            name, code = event
            running.discard(name)
            if name in critical:
                self.say(name, f"exited with code {code}; stopping the others")
                return code
            others = ", ".join(sorted(running))
            self.say(
                name,
                f"exited with code {code}" + (f"; still running: {others}" if others else ""),
            )
        return code

    def _on_stop_signal(self) -> None:
        """Unwind run() from the main thread: SIGTERM, SIGINT or SIGHUP stop everything."""
        if not self._stopping:
            self._stopping = True
            raise _Stop
