"""Rules for setting values that need outside knowledge: privileges, npm names, host names.

Each check names where the value came from (`source`) and says what would be accepted, so
config.py refuses a misspelt value with one line instead of passing on something that quietly
does nothing: the Geppetto client gates its interface on the privilege names it knows
(`UserPrivileges` in the Java backend), npm rejects a bad package name only minutes into an
install, and a URL given as an allowed host would match no request.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from geppetto_dev.errors import GeppettoDevError

__all__ = [
    "DEFAULT_PRIVILEGES",
    "KNOWN_PRIVILEGES",
    "check_host_entries",
    "check_npm_table",
    "check_privileges",
]

# DROPBOX_INTEGRATION is known but not given by default: the client offers Dropbox only with
# it, and uploads need a store the application is given (GeppettoApp(uploads=...)).
DEFAULT_PRIVILEGES = (
    "READ_PROJECT",
    "WRITE_PROJECT",
    "DOWNLOAD",
    "RUN_EXPERIMENT",
)
KNOWN_PRIVILEGES = (*DEFAULT_PRIVILEGES, "DROPBOX_INTEGRATION", "ADMIN")


def check_privileges(privileges: Iterable[str], source: str) -> None:
    """Refuse a name the client does not know, saying which ones it does."""
    for name in privileges:
        if name in KNOWN_PRIVILEGES:
            continue
        close = difflib.get_close_matches(name.upper(), KNOWN_PRIVILEGES, n=1, cutoff=0.6)
        guess = f"did you mean {close[0]}? " if close else ""
        raise GeppettoDevError(
            f"{source}: unknown privilege {name!r}",
            f"{guess}the privileges are {', '.join(KNOWN_PRIVILEGES)}",
        )


# A host name, an IP address (IPv6 in brackets), ".domain" or "*"; an optional port.
_HOST_ENTRY = re.compile(r"^(\*|\.?[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(:\d+)?$")


def check_host_entries(entries: Iterable[str], source: str) -> None:
    """allowed-hosts entries are names as the Host header has them, not URLs."""
    for entry in entries:
        if not _HOST_ENTRY.match(entry):
            raise GeppettoDevError(
                f"{source}: {entry!r} is not a host name",
                "give the name alone, e.g. app.example.org (.example.org: also every name "
                "under it; *: any name)",
            )


# npm's rules for a package name: lowercase, URL-safe, optionally @scope/.
_NPM_NAME = re.compile(r"^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")


def check_npm_table(name: str, table: Mapping[str, Any], source: str) -> None:
    """Package names and versions npm would accept; pins may also be false (drop it)."""
    key = name.replace("_", "-")
    for package, spec in table.items():
        if not _NPM_NAME.match(package) or len(package) > 214:
            raise GeppettoDevError(
                f"{source}: {key} has {package!r}, which is not an npm package name",
                f"fix {key} in {source} (names are lowercase, like griddle-react or @scope/pkg)",
            )
        if name == "npm_pins":
            ok = spec is False or (isinstance(spec, str) and spec.strip() and " " not in spec)
            expected = 'a version or spec ("1.2.3", "^2.0.0", "npm:other@1"), or false to drop it'
        else:
            # npm overrides may nest: {"pkg": {".": "1.0", "dep": "2.0"}}
            ok = (isinstance(spec, str) and bool(spec.strip())) or isinstance(spec, Mapping)
            expected = 'a version or spec ("1.2.3"), or a table of nested overrides'
        if not ok:
            raise GeppettoDevError(
                f"{source}: {key}.{package} must be {expected}, got {spec!r}",
                f"fix {key} in {source}",
            )
