"""Without Chromium the browser tests skip with a reason, or fail when CI requires them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import require_chromium


def test_missing_browser_skips_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEPPETTO_DEV_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium") as info:
        require_chromium(tmp_path / "chromium")
    assert str(tmp_path / "chromium") in str(info.value)


def test_missing_browser_fails_when_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEPPETTO_DEV_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="GEPPETTO_DEV_REQUIRE_BROWSER=1"):
        require_chromium(tmp_path / "chromium")


def test_present_browser_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEPPETTO_DEV_REQUIRE_BROWSER", "1")
    try:
        require_chromium(Path(__file__))  # any existing file stands for the binary here
    except (pytest.skip.Exception, pytest.fail.Exception) as exc:
        pytest.fail(f"a browser that is there was refused: {exc}")


def test_a_folder_at_the_browser_path_is_no_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEPPETTO_DEV_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"no Chromium at {tmp_path}"):
        require_chromium(tmp_path)
