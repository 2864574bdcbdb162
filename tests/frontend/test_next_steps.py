"""Every "Next steps" line `init` prints works when typed as printed, from where init ran.

Each line runs in bash, verbatim: `cd` moves on, a `serve` must answer `/` before it is stopped
as Ctrl-C stops it, anything else must exit 0. The environment only makes that possible
offline and on a shared machine: any free port (GEPPETTO_DEV_PORT=0), pip without an index or
build isolation, and a throwaway virtualenv (`python` on PATH) that borrows this one's
packages, so the project's `pip install -e` lands there and not here.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import site
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.frontend.conftest import cli_env, needs_node, run_cli
from tests.support import REPO, SERVING, descendants, pid_alive, wait_until


def next_steps(stdout: str) -> list[str]:
    """The commands after "Next steps:", comments cut."""
    lines = stdout.split("Next steps:\n", 1)[1].splitlines()
    return [line.split("  #", 1)[0].strip() for line in lines if line.strip()]


def throwaway_python(root: Path) -> Path:
    """A virtualenv whose `python` sees this environment's packages but installs into itself."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    folders = [p for p in dict.fromkeys(site.getsitepackages()) if Path(p).is_dir()]
    Path(purelib, "_borrowed.pth").write_text("".join(f"{p}\n" for p in folders))
    return python


def steps_env(python: Path) -> dict[str, str]:
    path = [str(python.parent), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    return cli_env(
        PATH=os.pathsep.join(path),
        PYTHONPATH=str(REPO),  # this checkout, which the borrowed editable install points to
        GEPPETTO_DEV_PORT="0",
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="0",  # pip's spelling of "no build isolation"
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )


def serve_step(command: str, cwd: Path, env: dict[str, str]) -> str:
    """Start a serve command, fetch `/`, stop it as Ctrl-C does; its output."""
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    url = ""
    for line in proc.stdout:
        seen.append(line)
        match = SERVING.search(line)
        if match:
            url = match.group(1).rstrip("/")
            break
    assert url, f"{command!r} did not serve:\n{''.join(seen)}"
    family = descendants(proc.pid)
    try:
        with urllib.request.urlopen(url + "/", timeout=15) as response:
            assert response.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    output = "".join(seen) + rest
    assert proc.returncode == 0, f"{command!r} exited {proc.returncode}:\n{output}"
    assert "Traceback" not in output, output
    wait_until(lambda: not any(pid_alive(p) for p in family), 10, "its processes to end")
    return output


def follow(steps: list[str], start: Path, env: dict[str, str]) -> dict[str, str]:
    """Run each step as typed; the output of each, by step."""
    outputs: dict[str, str] = {}
    cwd = start
    for step in steps:
        argv = shlex.split(step)
        if argv[0] == "cd":
            cwd = (cwd / argv[1]).resolve()
            assert cwd.is_dir(), step
            continue
        if argv[:2] == ["geppetto-dev", "serve"]:
            outputs[step] = serve_step(step, cwd, env)
            continue
        done = subprocess.run(
            ["bash", "-c", step], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{step!r} failed:\n{done.stdout}{done.stderr}"
        outputs[step] = done.stdout
    return outputs


def test_the_steps_after_skip_frontend_all_work(tmp_path: Path) -> None:
    done = run_cli("init", "my-lab", "--skip-frontend", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    steps = next_steps(done.stdout)
    assert steps == [
        "cd my-lab",
        "geppetto-dev serve",
        "geppetto-dev serve --reload",
        "python -m pip install -e '.[test]'",
        "python -m pytest",
    ]
    outputs = follow(steps, tmp_path, steps_env(throwaway_python(tmp_path)))
    assert "passed" in outputs["python -m pytest"]
    assert "Watching for changes" in outputs["geppetto-dev serve --reload"]
    project = tmp_path / "my-lab"
    assert (project / "data" / "geppetto-dev.sqlite3").is_file()  # made by serve, in the project
    if shutil.which("git"):
        # What serve, pip and pytest left behind is ignored: only the starter's files are new.
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        untracked = sorted(line[3:] for line in status.splitlines())
        assert not [p for p in untracked if p.startswith(("data/", ".geppetto-dev/"))]
        assert not [p for p in untracked if "__pycache__" in p or ".egg-info" in p], untracked
        assert "pyproject.toml" in untracked and "my_lab/app.py" in untracked


def test_a_name_with_a_space_in_its_path_is_quoted(tmp_path: Path) -> None:
    parent = tmp_path / "two words"
    parent.mkdir()
    done = run_cli("init", str(parent / "lab"), "--skip-frontend", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert next_steps(done.stdout)[0] == "cd 'two words/lab'"


@needs_node
def test_the_steps_after_a_built_frontend_all_work(tmp_path: Path, remote_template: Path) -> None:
    done = run_cli("init", "lab", "--frontend-repo", str(remote_template), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    steps = next_steps(done.stdout)
    assert "geppetto-dev serve --reload --build-watch" in steps
    # pip and pytest are the lines the test above runs; here the ones serving the frontend.
    serving = [s for s in steps if s.startswith(("cd ", "geppetto-dev"))]
    assert len(serving) == len(steps) - 2
    outputs = follow(serving, tmp_path, steps_env(Path(sys.executable)))
    assert "webpack |" in outputs["geppetto-dev serve --reload --build-watch"]


def test_without_network_init_names_the_inits_that_work_offline(tmp_path: Path) -> None:
    if not all(shutil.which(tool) for tool in ("git", "node", "npm")):
        pytest.skip("init checks for git, node and npm before it clones")
    unreachable = "https://127.0.0.1:9/org.geppetto.frontend.git"
    done = run_cli("init", "lab", "--frontend-repo", unreachable, cwd=tmp_path)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: git clone https://127.0.0.1:9/")
    assert "'geppetto-dev init lab --frontend meta' needs only the npm registry" in line
    assert "'geppetto-dev init lab --skip-frontend' needs no network" in line
    # Followed, the offline one works in the same folder.
    again = run_cli("init", "lab", "--skip-frontend", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
