"""The listening socket's accept queue, read back from the kernel with `ss`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from geppetto_dev.config import Settings
from geppetto_dev.server.server import bind


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2)")
def test_the_listen_backlog_holds_a_burst_of_connects(tmp_path: Path) -> None:
    sockets = bind(Settings(project_dir=tmp_path, port=0))
    try:
        port = sockets[0].getsockname()[1]
        out = subprocess.run(
            ["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True
        ).stdout
        # For a listening socket, ss shows the backlog as Send-Q (capped by somaxconn).
        backlog = int(out.split()[2])
        somaxconn = int(Path("/proc/sys/net/core/somaxconn").read_text())
        assert backlog == min(4096, somaxconn)
        assert backlog >= min(1024, somaxconn)
    finally:
        for sock in sockets:
            sock.close()
