"""`geppetto-dev init` end to end: real git, real npm, a local remote, no network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from geppetto_dev.config import read_pyproject
from tests.fixtures.frontend_repo import TAG, WEBAPP_PATH, git, set_fixture_version
from tests.frontend.conftest import cli_env, needs_node, run_cli

pytestmark = needs_node


def head(clone: Path) -> str:
    return git(clone, "rev-parse", "HEAD").strip()


def test_init_makes_the_project_and_builds_the_tagged_frontend(
    tmp_path: Path, remote: Path
) -> None:
    done = run_cli("init", "proj", "--frontend-repo", str(remote), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    proj = tmp_path / "proj"
    out = done.stdout
    # Preflight shows what it found; the plan's status words; the next steps.
    assert "git " in out and "node v" in out and "npm " in out
    assert "create  pyproject.toml" in out
    assert "Next steps:" in out and "cd proj" in out and "geppetto-dev serve" in out

    webapp = proj / "frontend" / WEBAPP_PATH
    page = (webapp / "build" / "geppetto.vm").read_text()
    assert '<base href="/org.geppetto.frontend/"/>' in page
    assert (webapp / "build" / "main.bundle.js").is_file()

    tagged = git(remote, "rev-parse", f"{TAG}^{{commit}}").strip()
    assert head(proj / "frontend") == tagged  # the tag, not master (which has no webapp)
    table = read_pyproject(proj)
    assert table["frontend-commit"] == tagged
    assert table["frontend-repo"] == str(remote)
    assert table["frontend-ref"] == TAG

    logs = sorted(p.name for p in (proj / ".geppetto-dev" / "logs").iterdir())
    assert any(n.startswith("npm-install-") for n in logs)
    assert any(n.startswith("npm-build-") for n in logs)
    install_log = next((proj / ".geppetto-dev" / "logs").glob("npm-install-*.log")).read_text()
    assert "--legacy-peer-deps" in install_log

    # The starter project's own test passes as generated.
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=proj,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_second_init_succeeds_and_keeps_files_the_user_changed(inited: Path) -> None:
    readme = inited / "README.md"
    readme.write_text("my own notes\n")
    done = run_cli("init", cwd=inited)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skip  README.md" in done.stdout
    assert "identical  pyproject.toml" in done.stdout
    assert readme.read_text() == "my own notes\n"
    assert "git fetch" in done.stdout


def test_second_init_updates_the_clone_to_a_new_ref(inited: Path) -> None:
    remote = Path(read_pyproject(inited)["frontend-repo"])
    # The copy's remote is shared by the session: tag a new release in a clone of it instead.
    work = inited.parent / "remote-work"
    subprocess.run(["git", "clone", "-q", str(remote), str(work)], check=True)
    git(work, "checkout", "-q", TAG)
    set_fixture_version(work / WEBAPP_PATH, "fixture-2")
    git(work, "commit", "-q", "-am", "Release 0.3.9")
    git(work, "tag", "v0.3.9")
    (inited / "frontend").rename(inited / "frontend-old")  # will be re-cloned from `work`
    done = run_cli("init", "--frontend-repo", str(work), "--frontend-ref", "v0.3.9", cwd=inited)
    assert done.returncode == 0, done.stdout + done.stderr
    bundle = (inited / "frontend" / WEBAPP_PATH / "build" / "main.bundle.js").read_text()
    assert "fixture-2" in bundle
    table = read_pyproject(inited)
    assert table["frontend-ref"] == "v0.3.9"
    assert table["frontend-commit"] == git(work, "rev-parse", "v0.3.9^{commit}").strip()

    # A new commit on the ref's branch is picked up by the next init: fetch, checkout, build.
    git(work, "checkout", "-q", "-b", "dev")
    set_fixture_version(work / WEBAPP_PATH, "fixture-3")
    git(work, "commit", "-q", "-am", "Work in progress")
    done = run_cli("init", "--frontend-ref", "dev", cwd=inited)
    assert done.returncode == 0, done.stdout + done.stderr
    assert head(inited / "frontend") == git(work, "rev-parse", "dev").strip()
    bundle = (inited / "frontend" / WEBAPP_PATH / "build" / "main.bundle.js").read_text()
    assert "fixture-3" in bundle


def test_init_refuses_a_clone_with_local_edits_and_touches_nothing(inited: Path) -> None:
    source = inited / "frontend" / WEBAPP_PATH / "js" / "version.js"
    source.write_text('window.FIXTURE_VERSION = "mine";\n')
    starter = inited / "tests" / "test_app.py"
    starter.unlink()  # a rerun would recreate it: it must not, since init refuses first
    before = head(inited / "frontend")
    done = run_cli("init", cwd=inited)
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")
    assert "local changes" in done.stderr and "js/version.js" in done.stderr
    assert "Traceback" not in done.stderr
    assert source.read_text() == 'window.FIXTURE_VERSION = "mine";\n'
    assert not starter.exists()
    assert head(inited / "frontend") == before


def test_npm_overrides_applied_by_init_are_not_local_edits(inited: Path) -> None:
    pyproject = inited / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.geppetto-dev.npm-overrides]\n"left-pad" = "1.3.0"\n'
    )
    # npm-install-args go in the [tool.geppetto-dev] table itself, above the sub-table.
    text = pyproject.read_text()
    args = 'npm-install-args = ["--ignore-scripts"]\n'
    pyproject.write_text(text.replace("[tool.geppetto-dev]\n", "[tool.geppetto-dev]\n" + args, 1))
    for _ in range(2):  # the second run meets the overrides the first one wrote
        done = run_cli("init", cwd=inited)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "npm overrides written to package.json: left-pad" in done.stdout
    package = inited / "frontend" / WEBAPP_PATH / "package.json"
    assert json.loads(package.read_text())["overrides"] == {"left-pad": "1.3.0"}
    logs = sorted((inited / ".geppetto-dev" / "logs").glob("npm-install-*.log"))
    assert "--legacy-peer-deps --no-audit --no-fund --ignore-scripts" in logs[-1].read_text()
    assert "package.json" in git(inited / "frontend", "status", "--porcelain")

    # The user's own edit on top of init's is theirs again: refused, and kept.
    data = json.loads(package.read_text())
    data["description"] = "edited by me"
    package.write_text(json.dumps(data, indent=2) + "\n")
    done = run_cli("init", cwd=inited)
    assert done.returncode != 0
    assert "package.json" in done.stderr
    assert json.loads(package.read_text())["description"] == "edited by me"


def test_a_failed_clone_leaves_no_folder_behind(tmp_path: Path) -> None:
    done = run_cli("init", "proj", "--frontend-repo", str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode != 0
    assert done.stderr.startswith("error: git clone") and "Traceback" not in done.stderr
    assert "full log:" in done.stdout
    leftovers = [p.name for p in (tmp_path / "proj").iterdir() if "frontend" in p.name]
    assert leftovers == []


def test_an_unknown_ref_leaves_no_folder_behind(tmp_path: Path, remote: Path) -> None:
    done = run_cli(
        "init", "proj", "--frontend-repo", str(remote), "--frontend-ref", "v9", cwd=tmp_path
    )
    assert done.returncode != 0
    assert "ref 'v9' was not found" in done.stderr and TAG in done.stderr
    assert [p.name for p in (tmp_path / "proj").iterdir() if "frontend" in p.name] == []


def test_a_failing_build_prints_its_tail_and_log(tmp_path: Path, remote: Path) -> None:
    webapp = remote / WEBAPP_PATH
    git(remote, "checkout", "-q", TAG)
    # Like webpack 4 on Node 17+: the cause first, then a long stack, then the summary.
    (webapp / "scripts" / "build.js").write_text(
        'console.log("compiling 12 modules");\n'
        'console.error("Error: error:0308010C:digital envelope routines::unsupported");\n'
        "for (let i = 0; i < 40; i++) console.error(`    at frame${i} (webpack/lib/x.js)`);\n"
        'console.error("ERROR in ./js/app.js: boom");\n'
        "process.exit(2);\n"
    )
    git(remote, "commit", "-q", "-am", "Break the build")
    git(remote, "tag", "broken")
    done = run_cli(
        "init", "proj", "--frontend-repo", str(remote), "--frontend-ref", "broken", cwd=tmp_path
    )
    assert done.returncode != 0
    assert "ERROR in ./js/app.js: boom" in done.stdout  # the tail
    assert "npm run build-dev-noTest failed with exit code" in done.stderr
    # The cause scrolled out of the tail; the hint still names the fix.
    assert "digital envelope" not in done.stdout
    assert "NODE_OPTIONS=--openssl-legacy-provider" in done.stderr
    log_line = next(line for line in done.stdout.splitlines() if line.startswith("full log:"))
    log = Path(log_line.removeprefix("full log:").strip())
    assert "boom" in log.read_text()
    # The failed build does not make init's own edits look like the user's: a rerun at a good
    # ref goes through.
    done = run_cli("init", "--frontend-ref", TAG, cwd=tmp_path / "proj")
    assert done.returncode == 0, done.stdout + done.stderr


def test_skip_frontend_needs_no_git_node_or_npm(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / "python")
    done = run_cli("init", "proj", "--skip-frontend", cwd=tmp_path, env=cli_env(PATH=str(bin_dir)))
    assert done.returncode == 0, done.stdout + done.stderr
    proj = tmp_path / "proj"
    assert (proj / "pyproject.toml").is_file()
    assert not (proj / "frontend").exists()
    assert "not built" in done.stdout


def test_a_missing_tool_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / "python")
    done = run_cli("init", "proj", cwd=tmp_path, env=cli_env(PATH=str(bin_dir)))
    assert done.returncode == 1
    assert done.stderr == (
        "error: git was not found on PATH; "
        "install git (https://git-scm.com/downloads, or your package manager: git); "
        "'geppetto-dev init proj --frontend meta' needs no git; "
        "'geppetto-dev init proj --skip-frontend' needs neither git nor Node.js "
        "(the prebuilt frontend)\n"
    )
    assert not (tmp_path / "proj").exists()


def test_a_file_in_place_of_the_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "proj").write_text("not a folder")
    done = run_cli("init", "proj", "--skip-frontend", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and "is not a folder" in done.stderr
    assert (tmp_path / "proj").read_text() == "not a folder"


def test_a_rerun_offline_builds_the_tag_already_cloned_but_not_a_branch(
    tmp_path: Path, remote: Path
) -> None:
    done = run_cli("init", "proj", "--frontend-repo", str(remote), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    remote.rename(tmp_path / "unreachable")
    proj = tmp_path / "proj"
    done = run_cli("init", cwd=proj)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"note: fetch failed; using {TAG} as already cloned" in done.stdout
    # A branch may have moved on the remote: building a stale copy silently would mislead.
    done = run_cli("init", "--frontend-ref", "master", cwd=proj)
    assert done.returncode == 1
    assert done.stderr.startswith("error: git fetch failed")
    assert read_pyproject(proj)["frontend-ref"] == TAG


def test_a_clone_whose_git_dir_lives_elsewhere_works(tmp_path: Path, remote: Path) -> None:
    """Like a git submodule: `frontend/.git` is a file pointing to the real git dir."""
    done = run_cli("init", "proj", "--skip-frontend", "--frontend-repo", str(remote), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    git_dir = tmp_path / "frontend-git-dir"
    subprocess.run(
        ["git", "clone", "-q", f"--separate-git-dir={git_dir}", str(remote), "proj/frontend"],
        cwd=tmp_path,
        check=True,
    )
    assert (tmp_path / "proj" / "frontend" / ".git").is_file()
    done = run_cli("init", cwd=tmp_path / "proj")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (git_dir / "geppetto-dev.json").is_file()
    assert (tmp_path / "proj" / "frontend" / WEBAPP_PATH / "build" / "geppetto.vm").is_file()
