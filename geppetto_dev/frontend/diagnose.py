"""Known npm and webpack failures of old frontend trees, and what the user can do about each.

npm prints its cause far above its last lines, and webpack 3 ends with a summary table, so a
failed step is read as a whole log: a hint names the package and the setting that fixes it, and
for a build the `ERROR in ...` blocks are what the user sees instead of the summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

__all__ = ["diagnose_npm", "npm_diagnoser", "webpack_errors"]

_PINS = "[tool.geppetto-dev.npm-pins]"
_OVERRIDES = "[tool.geppetto-dev.npm-overrides]"

_SCRIPT_PATH = re.compile(r"npm (?:error|ERR!) path \S*node_modules/((?:@[^/\s]+/)?[^/\s]+)\s*$")
_BINARY_MARKERS = (
    "failed to build, make sure that",
    "pre-build test failed",
    "compiling from source",
    "bin-build",
    "bin-wrapper",
    "prebuild-install",
    "node-pre-gyp",
)
_MISSING_MODULE = re.compile(r"Cannot find module '([^']+)'")
_EOVERRIDE = re.compile(
    r"Override for ((?:@[^/\s]+/)?[^@\s]+)@\S* conflicts with direct dependency"
)
_GIT_FAILURE = re.compile(
    r"(?:git (?:--no-replace-objects )?ls-remote|command git\b|ENOTFOUND codeload\.github\.com"
    r"|An unknown git error occurred|Permission denied \(publickey\))"
)
_PACKAGE_IN_PATH = re.compile(r"node_modules/((?:@[^/\s]+/)?[^/\s]+)/[^\s:]+")


def _installed_package(log: str) -> str | None:
    """The package whose install script failed, from npm's `path .../node_modules/X` line."""
    for line in reversed(log.splitlines()):
        match = _SCRIPT_PATH.search(line)
        if match:
            return match.group(1)
    return None


def _webpack_hint(log: str) -> str | None:
    if "ERROR in" not in log and "Module build failed" not in log:
        return None
    missing = _MISSING_MODULE.search(log)
    if missing and not missing.group(1).startswith((".", "/")):
        name = missing.group(1)
        return (
            f"a loader or package the build needs, {name}, is not installed (a peer dependency "
            f"npm no longer installs, or one that used to arrive with another package): add it "
            f'with {_PINS} "{name}" = "<version>", then run init again'
        )
    if "Module parse failed" in log:
        where = _PACKAGE_IN_PATH.search(log.split("Module parse failed", 1)[1])
        package = f" ({where.group(1)})" if where else ""
        return (
            f"webpack cannot parse a package's code{package}: it drifted to a release written "
            f"for a newer webpack or Node; pin the last release that works with "
            f'{_OVERRIDES} "<package>" = "<version>" (or {_PINS} for a direct dependency)'
        )
    if "Module build failed" in log or "Module not found" in log:
        return (
            "a webpack module failed to build: often a loader drifted to a version for a newer "
            f"webpack; pin it with {_PINS} (direct dependency) or {_OVERRIDES} (transitive), "
            "see the ERROR lines above"
        )
    return None


# Failures of old webpack/npm trees on current Node, most specific first.
_SIMPLE = (
    (
        ("ERR_OSSL_EVP_UNSUPPORTED", "digital envelope routines::unsupported"),
        "this webpack predates OpenSSL 3 (Node 17+): run init again with "
        "NODE_OPTIONS=--openssl-legacy-provider set, or use Node 16",
    ),
    (
        ("gyp ERR!", "node-gyp"),
        "a native module failed to compile for this Node (node-sass and friends): replace or "
        f"pin it with {_PINS} or {_OVERRIDES}, or use the Node version it supports",
    ),
    (
        ("ERESOLVE",),
        "npm could not resolve the dependency tree: pin the conflicting package with "
        f"{_OVERRIDES} (or {_PINS} for a direct dependency), or add --force to npm-install-args",
    ),
)


def diagnose_npm(log: str, git_deps: Mapping[str, str] | None = None) -> str | None:
    """A precise hint for a known npm/webpack failure found in its log, or None."""
    override = _EOVERRIDE.search(log)
    if override or "code EOVERRIDE" in log:
        name = override.group(1) if override else "<package>"
        return (
            f"npm overrides cannot change a direct dependency ({name}): move it from "
            f'{_OVERRIDES} to {_PINS} ("{name}" = "<version>"), which edits package.json'
        )
    if _GIT_FAILURE.search(log):
        named = ", ".join(f"{k} ({v})" for k, v in (git_deps or {}).items())
        which = f": {named}" if named else ""
        return (
            f"npm could not fetch a git dependency{which} (no network to the git host, a proxy, "
            f"or missing git credentials): pin it to a registry release with {_PINS}, "
            'e.g. "griddle-react" = "0.6.0"'
        )
    for marker in _BINARY_MARKERS:
        if marker in log:
            package = _installed_package(log)
            name = f" of {package}" if package else ""
            drop = f'{_PINS} "{package}" = false' if package else f"{_PINS} <package> = false"
            return (
                f"the install script{name} failed to download or compile a binary: if the build "
                'does not use it, add "--ignore-scripts" to npm-install-args in '
                f"[tool.geppetto-dev], or drop the package that brings it with {drop}"
            )
    for markers, hint in _SIMPLE:
        if any(marker in log for marker in markers):
            return hint
    return _webpack_hint(log)


def npm_diagnoser(git_deps: Mapping[str, str]) -> Callable[[str], str | None]:
    """`diagnose_npm` for a webapp whose git dependencies are known."""
    return lambda log: diagnose_npm(log, git_deps)


def webpack_errors(log: str, *, limit: int = 5, lines_each: int = 6) -> list[str]:
    """The `ERROR in ...` blocks of a webpack log (its summary says nothing useful)."""
    lines = log.splitlines()
    picked: list[str] = []
    count = 0
    for i, line in enumerate(lines):
        if not line.startswith("ERROR in"):
            continue
        count += 1
        if count > limit:
            continue
        picked.append(line)
        for follow in lines[i + 1 : i + lines_each]:
            if not follow.strip() or follow.startswith(("ERROR in", "WARNING in")):
                break
            picked.append(follow)
    if count > limit:
        picked.append(f"... and {count - limit} more ERROR in blocks (see the log)")
    return picked
