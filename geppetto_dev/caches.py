"""Where geppetto-dev keeps what it can make again: fetched model files, the experiments of
`geppetto-dev view` (which runs outside any project, so it has no `data/` folder of its own).

The user's cache folder, as the XDG base directory spec names it: `$XDG_CACHE_HOME`, else
`~/.cache`; `GEPPETTO_DEV_CACHE_DIR` overrides both (tests, read-only homes).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["CACHE_ENV", "user_cache_dir"]

CACHE_ENV = "GEPPETTO_DEV_CACHE_DIR"


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """geppetto-dev's folder in the user's cache (not created here)."""
    env = os.environ if environ is None else environ
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV]).expanduser().resolve()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser().resolve() / "geppetto-dev"
