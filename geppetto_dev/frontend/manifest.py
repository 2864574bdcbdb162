"""The webapp's package.json: reading it, and init's edits (pins of direct dependencies, overrides).

npm `overrides` change transitive packages only: for a direct dependency npm stops with
`EOVERRIDE`. A pin therefore edits the dependency's own entry (`"griddle-react": "0.6.0"`, or
`false` to drop it), which is also how a git dependency is replaced by a registry release.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geppetto_dev.errors import GeppettoDevError

__all__ = [
    "DEPENDENCY_SECTIONS",
    "Manifest",
    "apply_overrides",
    "check_overrides",
    "git_dependencies",
    "read_manifest",
]

DEPENDENCY_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")

NO_WEBAPP_HINT = (
    "check --webapp-path and --frontend-ref (the webapp must exist at that ref), "
    "or set webapp-path in [tool.geppetto-dev]"
)

# npm specs fetched with git rather than from the registry.
_GIT_SPEC = re.compile(
    r"^(git\+|git://|github:|gitlab:|bitbucket:|gist:)|\.git(#.*)?$|^[\w.-]+/[\w.-]+(#.*)?$"
)


class Manifest:
    """package.json as text and data, written back with its own indentation."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path = path
        self.text = text
        self.data = data
        match = re.search(r"^([ \t]+)\"", text, re.MULTILINE)
        self.indent = match.group(1) if match else "  "

    def render(self) -> str:
        return json.dumps(self.data, indent=self.indent, ensure_ascii=False) + "\n"

    def direct(self) -> dict[str, str]:
        """Every direct dependency and its spec, whatever its section."""
        found: dict[str, str] = {}
        for section in DEPENDENCY_SECTIONS:
            deps = self.data.get(section)
            if isinstance(deps, dict):
                found.update({k: str(v) for k, v in deps.items()})
        return found

    def pin(self, pins: Mapping[str, str | bool]) -> list[str]:
        """Set (or, for False, drop) direct dependencies; returns what changed, for the user."""
        changed: list[str] = []
        for name, spec in pins.items():
            sections = [
                s
                for s in DEPENDENCY_SECTIONS
                if isinstance(self.data.get(s), dict) and name in self.data[s]
            ]
            if spec is False:
                for section in sections:
                    del self.data[section][name]
                if sections:
                    changed.append(f"-{name}")
                continue
            if spec is True:
                raise GeppettoDevError(
                    f"npm-pins: {name} = true is not a version",
                    'give a version or spec ("1.2.3", "npm:other@1"), or false to drop it',
                )
            if not sections:
                section = "devDependencies" if "dependencies" not in self.data else "dependencies"
                sections = [section]
                self.data.setdefault(section, {})
            for section in sections:
                if self.data[section].get(name) != spec:
                    self.data[section][name] = spec
                    if f"{name}@{spec}" not in changed:
                        changed.append(f"{name}@{spec}")
        return changed

    def override(self, overrides: Mapping[str, Any]) -> bool:
        """Merge npm `overrides` (npm reads them only from package.json)."""
        if not overrides:
            return False
        current = self.data.get("overrides")
        merged = {**(current if isinstance(current, dict) else {}), **overrides}
        if merged == current:
            return False
        self.data["overrides"] = merged
        return True

    def write(self) -> bool:
        """Write the data back if it differs from the file; returns whether it wrote."""
        new = self.render()
        if json.loads(self.text) == self.data:
            return False
        self.path.write_text(new, encoding="utf-8")
        self.text = new
        return True


def read_manifest(webapp: Path, hint: str = NO_WEBAPP_HINT) -> Manifest:
    path = webapp / "package.json"
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise GeppettoDevError(f"no package.json in {webapp}", hint) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise GeppettoDevError(f"{path} is not valid JSON: {exc}", "fix the file") from None
    if not isinstance(data, dict):
        raise GeppettoDevError(f"{path} does not hold a JSON object", "fix the file")
    return Manifest(path, text, data)


def apply_overrides(webapp: Path, overrides: Mapping[str, Any]) -> bool:
    """Merge npm `overrides` into the webapp's package.json."""
    manifest = read_manifest(webapp)
    return manifest.override(overrides) and manifest.write()


def git_dependencies(manifest: Manifest) -> dict[str, str]:
    """Direct dependencies npm would fetch with git (a network and credentials matter)."""
    return {name: spec for name, spec in manifest.direct().items() if _GIT_SPEC.search(spec)}


def check_overrides(manifest: Manifest, overrides: Mapping[str, Any]) -> None:
    """Refuse, before a long install, overrides that npm would reject with EOVERRIDE."""
    direct = manifest.direct()
    for name, spec in overrides.items():
        if name not in direct or not isinstance(spec, str):
            continue
        if spec != direct[name] and spec != f"${name}":
            raise GeppettoDevError(
                f"npm-overrides sets {name} to {spec!r}, but {name} is a direct dependency "
                f"({direct[name]!r} in package.json), which npm overrides cannot change "
                "(EOVERRIDE)",
                f'move it to [tool.geppetto-dev.npm-pins]: "{name}" = "{spec}"',
            )
