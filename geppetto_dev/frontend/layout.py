"""Where the frontend's pieces live in a project: the clone, the webapp in it, init's logs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from geppetto_dev.config import Settings

__all__ = ["STATE_DIR", "FrontendPaths", "log_file", "paths"]

STATE_DIR = ".geppetto-dev"


@dataclass(frozen=True)
class FrontendPaths:
    """Where the pieces live, derived once from the settings."""

    project: Path
    clone: Path
    webapp: Path
    logs: Path


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
