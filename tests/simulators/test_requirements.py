"""Without a simulator's tool the tests skip with the fix, or fail when CI requires them."""

from __future__ import annotations

import pytest

from tests.simulators.requirements import REQUIRE, missing_module, need


def test_a_missing_tool_skips_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE, raising=False)
    missing = missing_module("no_such_simulator", "pip install no-such-simulator")
    with pytest.raises(pytest.skip.Exception, match=r"pip install no-such-simulator"):
        need(missing)


def test_a_missing_tool_fails_when_ci_requires_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE}=1 requires"):
        need(["Java"])


def test_nothing_missing_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE, "1")
    need(missing_module("pytest", "pip install pytest"))
