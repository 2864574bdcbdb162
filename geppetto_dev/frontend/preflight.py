"""Check that the tools a step needs are installed, before anything is written."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from geppetto_dev.errors import GeppettoDevError

__all__ = ["preflight"]

_INSTALL_HINTS = {
    "git": "install git (https://git-scm.com/downloads, or your package manager: git)",
    "node": "install Node.js, which includes npm (https://nodejs.org)",
    "npm": "install npm, which comes with Node.js (https://nodejs.org)",
}


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
