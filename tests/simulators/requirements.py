"""What the simulator tests need: skipped with the reason where it is missing, failed when CI
requires them (GEPPETTO_DEV_REQUIRE_SIMULATORS=1), so a missing tool is never a silent pass."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

__all__ = ["REQUIRE", "missing_java", "missing_module", "need"]

REQUIRE = "GEPPETTO_DEV_REQUIRE_SIMULATORS"


def missing_module(module: str, install: str) -> list[str]:
    return [] if importlib.util.find_spec(module) is not None else [f"{module} ({install})"]


def missing_java() -> list[str]:
    from geppetto_dev.simulators.jneuroml import find_jar

    missing = [] if shutil.which("java") else ["Java (apt-get install default-jre-headless)"]
    if find_jar() is None:
        missing.append("pyNeuroML's jNeuroML jar (pip install pyneuroml)")
    return missing


def need(missing: list[str]) -> None:
    """Skip (or, in CI, fail) the test or module when anything is missing."""
    if not missing:
        return
    reason = "needs " + ", ".join(missing)
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason}, and {REQUIRE}=1 requires the simulator tests", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
