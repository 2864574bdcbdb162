"""The frontend clone: preflight, git clone/update of a ref, and init's record of its own changes.

The clone belongs to the user as much as to init, so init keeps a record of what it changed itself
(npm `overrides` written into package.json, a package-lock.json npm rewrote) in the clone's
`.git/geppetto-dev.json` (it goes away with the clone, and git never shows it): on the next run
those changes are init's to undo, while any other change to a tracked file is the user's and makes
init refuse before touching anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.frontend.layout import FrontendPaths, log_file, paths
from geppetto_dev.procs.steps import Console, run_step

__all__ = ["check_clone", "remember_own_changes", "update_clone"]

# --- git ----------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise GeppettoDevError(
            f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip() or done.stdout.strip()}",
            "fix the clone or remove it and run init again",
        )
    return done.stdout.strip()


def _state_file(where: FrontendPaths) -> Path:
    """init's record, inside the clone's git dir (a submodule's `.git` is only a file)."""
    dot_git = where.clone / ".git"
    if dot_git.is_file():
        git_dir = _git(where.clone, "rev-parse", "--absolute-git-dir")
        return Path(git_dir) / "geppetto-dev.json"
    return dot_git / "geppetto-dev.json"


def _repo_url(repo: str) -> str:
    """Local paths are made absolute, so git resolves them the same from any folder."""
    if "://" not in repo and not re.match(r"^[\w.-]+@[\w.-]+:", repo) and Path(repo).exists():
        return str(Path(repo).resolve())
    return repo


def _same_repo(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        return _repo_url(url).rstrip("/").removesuffix(".git").rstrip("/")

    return norm(a) == norm(b)


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _tracked_changes(clone: Path) -> dict[str, str | None]:
    """Tracked files that differ from HEAD, with a hash of their current content."""
    out = subprocess.run(
        ["git", "status", "--porcelain=v1", "-z", "--untracked-files=no"],
        cwd=clone,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "surrogateescape")
    changed: dict[str, str | None] = {}
    entries = out.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        status, name = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            i += 1  # the next entry is the rename's source path
        changed[name] = _file_hash(clone / name)
    return changed


def _read_state(where: FrontendPaths) -> dict[str, Any]:
    try:
        data = json.loads(_state_file(where).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(where: FrontendPaths, **values: Any) -> None:
    state = {**_read_state(where), **values}
    _state_file(where).write_text(
        json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def _user_changes(where: FrontendPaths) -> tuple[list[str], list[str]]:
    """(changes the user made, changes init made and recorded) to tracked files of the clone."""
    own = _read_state(where).get("own_changes", {})
    users: list[str] = []
    inits: list[str] = []
    for name, digest in _tracked_changes(where.clone).items():
        (inits if name in own and own[name] == digest else users).append(name)
    return users, inits


def check_clone(settings: Settings) -> None:
    """Refuse, before anything is changed, when an existing clone holds work of the user's."""
    where = paths(settings)
    if not where.clone.exists():
        return
    if not (where.clone / ".git").exists():
        raise GeppettoDevError(
            f"{where.clone} exists but is not a git clone",
            "move it away, or set frontend-clone in [tool.geppetto-dev] to another folder",
        )
    origin = _git(where.clone, "remote", "get-url", "origin", check=False)
    if origin and not _same_repo(origin, settings.frontend_repo):
        raise GeppettoDevError(
            f"the clone at {where.clone} comes from {origin}, not {settings.frontend_repo}",
            f"pass --frontend-repo {origin}, or remove the clone to start over",
        )
    users, _ = _user_changes(where)
    if users:
        shown = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
        raise GeppettoDevError(
            f"the frontend clone has local changes init did not make: {shown}",
            f"commit or stash them (git -C {where.clone} stash), then run init again",
        )
    if _git(where.clone, "rev-parse", "--verify", "--quiet", "HEAD", check=False):
        on_remote = _git(
            where.clone,
            "for-each-ref",
            "--count=1",
            "--contains",
            "HEAD",
            "refs/remotes",
            "refs/tags",
        )
        if not on_remote:
            raise GeppettoDevError(
                f"the frontend clone is at a commit found on no remote branch or tag "
                f"({_git(where.clone, 'rev-parse', '--short', 'HEAD')}); it would be left behind",
                f"push it or put it on a branch (git -C {where.clone} branch NAME), then run init",
            )


def _resolve(clone: Path, ref: str) -> str:
    """A tag, a remote branch or a commit, in that order, as a commit id."""
    for candidate in (f"refs/tags/{ref}", f"refs/remotes/origin/{ref}", ref):
        commit = _git(
            clone, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False
        )
        if commit:
            return commit
    tags = _git(clone, "tag", "--sort=-creatordate").splitlines()[:5]
    raise GeppettoDevError(
        f"ref {ref!r} was not found in the frontend repository",
        "pass --frontend-ref with a tag, branch or commit"
        + (f" (recent tags: {', '.join(tags)})" if tags else ""),
    )


def _is_fixed_ref(clone: Path, ref: str) -> bool:
    """Whether `ref` is a tag or a commit id present in the clone (not a branch that moves)."""
    if _git(clone, "rev-parse", "--verify", "--quiet", f"refs/tags/{ref}", check=False):
        return True
    if _git(clone, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{ref}", check=False):
        return False
    commit = _git(clone, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return bool(commit) and commit.startswith(ref.lower())


def update_clone(settings: Settings, console: Console) -> str:
    """Clone (into a temporary folder, renamed when complete) or fetch; check out the ref.

    Returns the commit checked out. Call `check_clone` first: this undoes init's own earlier
    changes to tracked files and assumes there are no others.
    """
    where = paths(settings)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    if not where.clone.exists():
        where.clone.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{where.clone.name}.", dir=where.clone.parent))
        try:
            run_step(
                console,
                f"git clone {settings.frontend_repo}",
                [
                    "git",
                    "clone",
                    "--progress",
                    "--no-checkout",
                    _repo_url(settings.frontend_repo),
                    str(tmp),
                ],
                cwd=where.clone.parent,
                log_path=log_file(where, "git-clone"),
                env=env,
                hint="check the URL (--frontend-repo) and your network",
            )
            commit = _resolve(tmp, settings.frontend_ref)
            _git(tmp, "checkout", "-q", "--detach", commit)
            tmp.rename(where.clone)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        _write_state(where, own_changes={}, repo=settings.frontend_repo)
    else:
        _, inits = _user_changes(where)
        if inits:
            _git(where.clone, "checkout", "-q", "HEAD", "--", *inits)
        _write_state(where, own_changes={})
        try:
            run_step(
                console,
                "git fetch",
                ["git", "fetch", "--progress", "--tags", "--force", "--prune", "origin"],
                cwd=where.clone,
                log_path=log_file(where, "git-fetch"),
                env=env,
                hint="check your network, or the clone's origin",
            )
        except GeppettoDevError:
            # Offline, a tag or commit already in the clone builds the same as after a fetch;
            # a branch could be behind, so that stays an error.
            if not _is_fixed_ref(where.clone, settings.frontend_ref):
                raise
            console.line(f"note: fetch failed; using {settings.frontend_ref} as already cloned")
        commit = _resolve(where.clone, settings.frontend_ref)
        _git(where.clone, "checkout", "-q", "--detach", commit)
    console.line(f"ok frontend at {settings.frontend_ref} ({commit[:12]})")
    _write_state(where, ref=settings.frontend_ref, commit=commit)
    return commit


def remember_own_changes(settings: Settings) -> None:
    """Record every current change to tracked files as init's own (call after init's steps)."""
    where = paths(settings)
    if (where.clone / ".git").exists():
        _write_state(where, own_changes=_tracked_changes(where.clone))
