"""The Geppetto frontend: preflight, git clone/update of a ref, npm install and build.

The clone belongs to the user as much as to init, so init keeps a record of what it changed itself
(npm `overrides` written into package.json, a package-lock.json npm rewrote) in the clone's
`.git/geppetto-dev.json` (it goes away with the clone, and git never shows it): on the next run
those changes are init's to undo, while any other change to a tracked file is the user's and makes
init refuse before touching anything.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.progress import Console, run_step

__all__ = [
    "FrontendPaths",
    "apply_overrides",
    "build",
    "check_clone",
    "diagnose_npm",
    "install",
    "npm_script",
    "paths",
    "preflight",
    "record_settings",
    "remember_own_changes",
    "update_clone",
    "watch_command",
]

STATE_DIR = ".geppetto-dev"
_INSTALL_HINTS = {
    "git": "install git (https://git-scm.com/downloads, or your package manager: git)",
    "node": "install Node.js, which includes npm (https://nodejs.org)",
    "npm": "install npm, which comes with Node.js (https://nodejs.org)",
}


@dataclass(frozen=True)
class FrontendPaths:
    """Where the pieces live, derived once from the settings."""

    project: Path
    clone: Path
    webapp: Path
    logs: Path

    @property
    def state(self) -> Path:
        """init's record, inside the clone's git dir (a submodule's `.git` is only a file)."""
        dot_git = self.clone / ".git"
        if dot_git.is_file():
            git_dir = _git(self.clone, "rev-parse", "--absolute-git-dir")
            return Path(git_dir) / "geppetto-dev.json"
        return dot_git / "geppetto-dev.json"


def paths(settings: Settings) -> FrontendPaths:
    project = settings.project_dir
    clone = project / settings.frontend_clone
    return FrontendPaths(
        project=project,
        clone=clone,
        webapp=clone / settings.webapp_path,
        logs=project / STATE_DIR / "logs",
    )


def log_file(where: FrontendPaths, step: str) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return where.logs / f"{step}-{stamp}.log"


# --- preflight ----------------------------------------------------------------------------------


def preflight(tools: Sequence[str] = ("git", "node", "npm")) -> dict[str, str]:
    """The version of each tool, or an error naming what to install; changes nothing."""
    versions: dict[str, str] = {}
    for tool in tools:
        exe = shutil.which(tool)
        if exe is None:
            raise GeppettoDevError(f"{tool} was not found on PATH", _INSTALL_HINTS.get(tool, ""))
        try:
            done = subprocess.run(
                [exe, "--version"], capture_output=True, text=True, timeout=60, check=True
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise GeppettoDevError(
                f"{tool} ({exe}) does not run: {exc}", _INSTALL_HINTS.get(tool, "")
            ) from None
        versions[tool] = done.stdout.strip().removeprefix("git version ")
    return versions


# --- git ----------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise GeppettoDevError(
            f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip() or done.stdout.strip()}",
            "fix the clone or remove it and run init again",
        )
    return done.stdout.strip()


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
        data = json.loads(where.state.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(where: FrontendPaths, **values: Any) -> None:
    state = {**_read_state(where), **values}
    where.state.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")


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


# --- npm ----------------------------------------------------------------------------------------


_NO_WEBAPP_HINT = (
    "check --webapp-path and --frontend-ref (the webapp must exist at that ref), "
    "or set webapp-path in [tool.geppetto-dev]"
)


def _package_json(webapp: Path, hint: str = _NO_WEBAPP_HINT) -> tuple[Path, dict[str, Any]]:
    path = webapp / "package.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GeppettoDevError(f"no package.json in {webapp}", hint) from None
    except ValueError as exc:
        raise GeppettoDevError(f"{path} is not valid JSON: {exc}", "fix the file") from None
    if not isinstance(data, dict):
        raise GeppettoDevError(f"{path} does not hold a JSON object", "fix the file")
    return path, data


def npm_script(webapp: Path, script: str, setting: str, hint: str = _NO_WEBAPP_HINT) -> list[str]:
    """The command running `script`, after checking package.json defines it."""
    path, data = _package_json(webapp, hint)
    scripts = data.get("scripts") or {}
    if script not in scripts:
        raise GeppettoDevError(
            f"{path} has no script {script!r} (it has: {', '.join(sorted(scripts)) or 'none'})",
            f"set {setting} in [tool.geppetto-dev] to one of them",
        )
    return ["npm", "run", script]


def apply_overrides(webapp: Path, overrides: Mapping[str, Any]) -> bool:
    """Merge npm `overrides` into package.json (npm reads them only from there)."""
    if not overrides:
        return False
    path, data = _package_json(webapp)
    text = path.read_text(encoding="utf-8")
    indent_match = re.search(r"^([ \t]+)\"", text, re.MULTILINE)
    indent = indent_match.group(1) if indent_match else "  "
    current = data.get("overrides")
    merged = {**(current if isinstance(current, dict) else {}), **overrides}
    data["overrides"] = merged
    path.write_text(json.dumps(data, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def _npm_env() -> dict[str, str]:
    # Plain output for the log; no update nags. The user's npm config (registry, proxy) stays.
    return {
        **os.environ,
        "npm_config_update_notifier": "false",
        "npm_config_progress": "false",
        "npm_config_color": "false",
    }


# Failures of old webpack/npm trees on current Node, and what fixes them.
_KNOWN_FAILURES = (
    (
        ("ERR_OSSL_EVP_UNSUPPORTED", "digital envelope routines::unsupported"),
        "this webpack predates OpenSSL 3 (Node 17+): run init again with "
        "NODE_OPTIONS=--openssl-legacy-provider set, or use Node 16",
    ),
    (
        ("gyp ERR!", "node-gyp"),
        "a native module failed to compile for this Node (node-sass and friends): replace or "
        "pin it with npm-overrides in [tool.geppetto-dev], or use the Node version it supports",
    ),
    (
        ("ERESOLVE",),
        "npm could not resolve the dependency tree: pin the conflicting package with "
        "npm-overrides in [tool.geppetto-dev], or add --force to npm-install-args",
    ),
)


def diagnose_npm(log: str) -> str | None:
    """A precise hint for a known npm/webpack failure found in its log."""
    for markers, hint in _KNOWN_FAILURES:
        if any(marker in log for marker in markers):
            return hint
    return None


def install(settings: Settings, console: Console) -> None:
    """npm install with legacy peer resolution (old Geppetto trees need it on npm >= 7)."""
    where = paths(settings)
    _package_json(where.webapp)
    if apply_overrides(where.webapp, settings.npm_overrides):
        console.line(
            f"ok npm overrides written to package.json: {', '.join(settings.npm_overrides)}"
        )
    argv = ["npm", "install", "--legacy-peer-deps", "--no-audit", "--no-fund"]
    argv += list(settings.npm_install_args)
    run_step(
        console,
        "npm install",
        argv,
        cwd=where.webapp,
        log_path=log_file(where, "npm-install"),
        env=_npm_env(),
        hint="fix drift in old dependencies with npm-overrides or npm-install-args "
        "in [tool.geppetto-dev], then run init again",
        diagnose=diagnose_npm,
    )


def build(settings: Settings, console: Console) -> None:
    where = paths(settings)
    run_step(
        console,
        f"npm run {settings.build_script}",
        npm_script(where.webapp, settings.build_script, "build-script"),
        cwd=where.webapp,
        log_path=log_file(where, "npm-build"),
        env=_npm_env(),
        hint="fix the build (see its log), then run init again",
        diagnose=diagnose_npm,
    )


def watch_command(settings: Settings) -> tuple[list[str], Path]:
    """The watch script's command and the folder to run it in (the served webapp)."""
    webapp = settings.frontend_path
    hint = (
        "run 'geppetto-dev init' to clone and build the frontend, "
        "or point --frontend-dir (frontend-dir in [tool.geppetto-dev]) at a webapp folder"
    )
    return npm_script(webapp, settings.watch_script, "watch-script", hint), webapp


# --- pyproject.toml -----------------------------------------------------------------------------

_TABLE = re.compile(r"^\[tool\.geppetto-dev\][ \t]*(#.*)?$", re.MULTILINE)


def record_settings(pyproject: Path, values: Mapping[str, str]) -> bool:
    """Set string keys of [tool.geppetto-dev], editing only their lines (comments stay).

    A key that is missing is added at the end of the table. Returns False, writing nothing,
    when the file has no such table.
    """
    try:
        text = pyproject.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    table = _TABLE.search(text)
    if table is None:
        return False
    end_match = re.compile(r"^\[", re.MULTILINE).search(text, table.end())
    end = end_match.start() if end_match else len(text)
    body = text[table.end() : end]
    for key, value in values.items():
        line = f"{key} = {json.dumps(value)}"
        pattern = re.compile(rf"^{re.escape(key)}[ \t]*=.*$", re.MULTILINE)
        found = pattern.search(body)
        if found:
            body = body[: found.start()] + line + body[found.end() :]
        else:
            content = body.rstrip("\n")
            body = content + "\n" + line + "\n" + ("\n" if end_match else "")
    new = text[: table.end()] + body + text[end:]
    if new != text:
        pyproject.write_text(new, encoding="utf-8")
    return True
