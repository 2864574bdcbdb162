"""What makes a known frontend release install and build today, shipped as data.

A 2017 Geppetto webapp has no lockfile, so a fresh `npm install` resolves it to today's packages,
and some of those break it (a git dependency, binaries that download at install, loaders that
need a newer webpack, a library whose module shape changed). For each release we know, the
package ships `release_data/<release>/`:

- `release.json`: the SHA-256 of the release's own `package.json` (the key: a fork or a squashed
  copy of the same tree matches, whatever its tag or commit id), the direct dependencies to pin
  or drop (`pins`, applied to package.json because npm overrides refuse direct dependencies),
  npm `overrides` for transitive packages, extra npm arguments, and why each is there;
- `package-lock.json`: the tree that was installed, built and checked in a browser with exactly
  those changes, so installs stop drifting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = ["Release", "find_release", "known_releases", "package_json_key"]

_DATA = "release_data"


@dataclass(frozen=True)
class Release:
    """The fixes for one release's package.json, and the lockfile they were tested with."""

    name: str
    key: str
    pins: Mapping[str, str | bool] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    install_args: tuple[str, ...] = ()
    lockfile: Traversable | None = None


def package_json_key(text: str) -> str:
    """The key a release is found by: SHA-256 of package.json, line endings normalised."""
    normalised = text.replace("\r\n", "\n").encode("utf-8")
    return hashlib.sha256(normalised).hexdigest()


def _load(folder: Traversable) -> Release:
    data = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    lockfile = folder / "package-lock.json"
    return Release(
        name=str(data["release"]),
        key=str(data["package-json-sha256"]),
        pins=dict(data.get("pins", {})),
        overrides=dict(data.get("overrides", {})),
        install_args=tuple(data.get("npm-install-args", ())),
        lockfile=lockfile if lockfile.is_file() else None,
    )


def known_releases() -> list[Release]:
    """Every release the package has data for."""
    root = resources.files("geppetto_dev.frontend") / _DATA
    folders = sorted(
        (f for f in root.iterdir() if f.is_dir() and (f / "release.json").is_file()),
        key=lambda f: f.name,
    )
    return [_load(folder) for folder in folders]


def find_release(package_json_text: str) -> Release | None:
    """The shipped release whose original package.json is exactly this one, if any."""
    key = package_json_key(package_json_text)
    for release in known_releases():
        if release.key == key:
            return release
    return None
