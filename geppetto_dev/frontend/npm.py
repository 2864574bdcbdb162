"""npm in the webapp: release fixes and knobs, install, build, and the built page's check.

Before `npm install`, package.json gets, in order: the shipped fixes of a known release
(`releases`), the user's `npm-pins` (direct dependencies) and `npm-overrides` (transitive ones).
A known release whose fixes are untouched installs with `npm ci` from its tested lockfile.

What an install was made from (package.json as edited, the lockfile, npm's arguments, node's
version) is stamped into `node_modules/.geppetto-dev.json`: an unchanged stamp skips the install
(and, with unchanged sources, the build), a changed one removes node_modules first, so a tree
installed under other settings never leaks into the next install. The stamp lives and dies with
node_modules, so it cannot outlive what it describes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.frontend.diagnose import npm_diagnoser, webpack_errors
from geppetto_dev.frontend.layout import log_file, paths
from geppetto_dev.frontend.manifest import (
    NO_WEBAPP_HINT,
    Manifest,
    check_overrides,
    git_dependencies,
    read_manifest,
)
from geppetto_dev.frontend.page import PageCheck, check_page
from geppetto_dev.frontend.releases import Release, find_release
from geppetto_dev.procs.steps import Console, run_step

__all__ = ["build", "check_built_page", "install", "npm_script", "watch_command"]

STAMP = Path("node_modules") / ".geppetto-dev.json"
LOCKFILE = "package-lock.json"
# Left out of the build's source fingerprint: init rewrites them on every run (and the install
# stamp covers them), and the build's own output.
_NOT_SOURCES = {"node_modules", "build", "package.json", LOCKFILE}


def npm_script(webapp: Path, script: str, setting: str, hint: str = NO_WEBAPP_HINT) -> list[str]:
    """The command running `script`, after checking package.json defines it."""
    manifest = read_manifest(webapp, hint)
    scripts = manifest.data.get("scripts") or {}
    if script not in scripts:
        raise GeppettoDevError(
            f"{manifest.path} has no script {script!r} "
            f"(it has: {', '.join(sorted(scripts)) or 'none'})",
            f"set {setting} in [tool.geppetto-dev] to one of them",
        )
    return ["npm", "run", script]


def _npm_env() -> dict[str, str]:
    # Plain output for the log; no update nags. The user's npm config (registry, proxy) stays.
    return {
        **os.environ,
        "npm_config_update_notifier": "false",
        "npm_config_progress": "false",
        "npm_config_color": "false",
    }


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _node_version() -> str:
    try:
        done = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _read_stamp(webapp: Path) -> dict[str, Any]:
    try:
        data = json.loads((webapp / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_stamp(webapp: Path, **values: Any) -> None:
    path = webapp / STAMP
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**_read_stamp(webapp), **values}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _merge_args(*groups: tuple[str, ...] | list[str]) -> list[str]:
    merged: list[str] = []
    for group in groups:
        merged += [arg for arg in group if arg not in merged]
    return merged


def _describe(release: Release) -> str:
    parts = [
        f"{name}@{spec}" if spec is not False else f"-{name}" for name, spec in release.pins.items()
    ]
    parts += [f"{name}@{spec} (override)" for name, spec in release.overrides.items()]
    parts += list(release.install_args)
    return ", ".join(parts)


def _prepare(settings: Settings, console: Console) -> tuple[Manifest, Release | None, bool]:
    """Edit package.json (release fixes, pins, overrides); returns (manifest, release, use ci)."""
    manifest = read_manifest(paths(settings).webapp)
    release = find_release(manifest.text) if settings.release_fixes else None
    if release is not None:
        manifest.pin(release.pins)
        manifest.override(release.overrides)
        console.line(f"ok known frontend release {release.name}: {_describe(release)}")
    as_released = manifest.render()
    pinned = manifest.pin(settings.npm_pins)
    check_overrides(manifest, settings.npm_overrides)
    manifest.override(settings.npm_overrides)
    if pinned:
        console.line(f"ok npm pins written to package.json: {', '.join(pinned)}")
    if settings.npm_overrides:
        console.line(
            f"ok npm overrides written to package.json: {', '.join(settings.npm_overrides)}"
        )
    manifest.write()
    # The tested lockfile fits package.json exactly as released; other edits need npm install,
    # which keeps every locked version the edits leave valid.
    tested = release is not None and release.lockfile is not None
    return manifest, release, tested and manifest.render() == as_released


def install(settings: Settings, console: Console) -> bool:
    """npm install (or ci) with legacy peer resolution; returns False when it was up to date."""
    where = paths(settings)
    manifest, release, use_ci = _prepare(settings, console)
    lockfile = where.webapp / LOCKFILE
    stamp = _read_stamp(where.webapp).get("install", {})
    if release is not None and release.lockfile is not None:
        shipped = release.lockfile.read_bytes()
        if _file_digest(lockfile) != hashlib.sha256(shipped).hexdigest():
            lockfile.write_bytes(shipped)
        created_lockfile = True
        lock_input = _file_digest(lockfile)
    else:
        created_lockfile = bool(stamp.get("created_lockfile")) or not lockfile.exists()
        lock_input = None if created_lockfile else _file_digest(lockfile)
    argv = ["npm", "ci" if use_ci else "install", "--legacy-peer-deps", "--no-audit", "--no-fund"]
    argv += _merge_args(release.install_args if release else (), settings.npm_install_args)
    inputs = _digest(
        {
            "package.json": manifest.render(),
            "lockfile": lock_input,
            "argv": argv,
            "node": _node_version(),
        }
    )
    modules = where.webapp / "node_modules"
    if stamp.get("inputs") == inputs and stamp.get("complete") and modules.is_dir():
        console.line("ok npm install: up to date (nothing changed since the last install)")
        return False
    if stamp and modules.exists():
        why = "did not finish" if stamp.get("inputs") == inputs else "ran with other settings"
        console.line(f"note: the last npm install {why}: removing node_modules for a clean one")
        shutil.rmtree(modules)
        if stamp.get("created_lockfile") and release is None and lockfile.exists():
            lockfile.unlink()
            created_lockfile = True
    install_stamp = {"inputs": inputs, "complete": False, "created_lockfile": created_lockfile}
    _write_stamp(where.webapp, install=install_stamp, build={})
    run_step(
        console,
        " ".join(argv[:2]),
        argv,
        cwd=where.webapp,
        log_path=log_file(where, "npm-install"),
        env=_npm_env(),
        hint="fix drift in old dependencies with npm-pins, npm-overrides or npm-install-args "
        "in [tool.geppetto-dev], then run init again",
        diagnose=npm_diagnoser(git_dependencies(manifest)),
    )
    # npm ci empties node_modules first, stamp included.
    _write_stamp(where.webapp, install={**install_stamp, "complete": True}, build={})
    return True


def _sources(webapp: Path) -> str:
    """Names, sizes and mtimes of the webapp's sources: any edit changes it."""
    entries: list[tuple[str, int, int]] = []
    for root, dirs, files in os.walk(webapp):
        top = Path(root) == webapp
        dirs[:] = sorted(d for d in dirs if not (top and d in _NOT_SOURCES))
        for name in sorted(files):
            if top and name in _NOT_SOURCES:
                continue
            path = Path(root, name)
            try:
                info = path.stat()
            except OSError:
                continue
            entries.append((str(path.relative_to(webapp)), info.st_size, info.st_mtime_ns))
    return _digest(entries)


def build(settings: Settings, console: Console, *, installed: bool = True) -> bool:
    """Run the build script, unless nothing changed since the last build; returns if it ran."""
    where = paths(settings)
    argv = npm_script(where.webapp, settings.build_script, "build-script")
    stamp = _read_stamp(where.webapp)
    inputs = _digest({"install": stamp.get("install", {}).get("inputs"), "argv": argv})
    last = stamp.get("build", {})
    if (
        not installed
        and last.get("inputs") == inputs
        and last.get("sources") == _sources(where.webapp)
        and _page_ok(settings)
    ):
        console.line(f"ok npm run {settings.build_script}: up to date (no source changed)")
        return False
    _write_stamp(where.webapp, build={})
    run_step(
        console,
        f"npm run {settings.build_script}",
        argv,
        cwd=where.webapp,
        log_path=log_file(where, "npm-build"),
        env=_npm_env(),
        hint="fix the build (see its log), then run init again",
        diagnose=npm_diagnoser({}),
        excerpt=webpack_errors,
    )
    if (where.webapp / STAMP).parent.is_dir():
        _write_stamp(where.webapp, build={"inputs": inputs, "sources": _sources(where.webapp)})
    return True


def _page_ok(settings: Settings) -> bool:
    try:
        check_page(paths(settings).webapp, settings.context_path)
    except GeppettoDevError:
        return False
    return True


def check_built_page(settings: Settings, console: Console) -> PageCheck:
    """Check the built page without a browser, and say where to open it."""
    where = paths(settings)
    checked = check_page(where.webapp, settings.context_path)
    names = ", ".join(path.name for path in checked.scripts)
    size = checked.size / 1e6
    console.line(f"ok page {checked.page.relative_to(where.project)}: {names} ({size:.1f} MB)")
    return checked


def watch_command(settings: Settings) -> tuple[list[str], Path]:
    """The watch script's command and the folder to run it in (the served webapp)."""
    webapp = settings.frontend_path
    hint = (
        "run 'geppetto-dev init' to clone and build the frontend, "
        "or point --frontend-dir (frontend-dir in [tool.geppetto-dev]) at a webapp folder"
    )
    return npm_script(webapp, settings.watch_script, "watch-script", hint), webapp
