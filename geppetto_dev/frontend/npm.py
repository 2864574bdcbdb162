"""npm in the webapp: overrides, install, build, the watch command, and diagnosing failures."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geppetto_dev.config import Settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.frontend.layout import log_file, paths
from geppetto_dev.procs.steps import Console, run_step

__all__ = ["apply_overrides", "build", "diagnose_npm", "install", "npm_script", "watch_command"]

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
