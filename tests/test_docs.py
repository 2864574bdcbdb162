"""The documentation site builds with `mkdocs build --strict` (as CI must build it), offline, with
the reference generated from the code; the README's commands and links hold.

The build runs mkdocs for real, from a copy of `mkdocs.yml` and `docs/`, into tmp_path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

README = REPO / "README.md"
# The README's test command: CI (.ci/run) runs exactly this line, as a new user would.
TEST_COMMAND = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && python -m pytest"
)


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def copy_sources(root: Path) -> Path:
    """mkdocs.yml and docs/ in a folder of their own, so a test can break a page safely."""
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sources(tmp_path_factory.mktemp("docs"))
    built = build(root, root / "site")
    assert built.returncode == 0, built.stdout + built.stderr
    return root / "site"


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_the_reference_is_generated_into_the_site(site: Path) -> None:
    cli = page(site, "reference/cli")
    assert "geppetto-dev new-handler" in cli and "--reload-exclude" in cli
    settings = page(site, "reference/settings")
    assert "GEPPETTO_DEV_MAX_SEND_BUFFER" in settings and "experiment-cluster" in settings
    protocol = page(site, "reference/protocol")
    assert "set_watched_variables" in protocol and "watched_variables_set" in protocol
    assert "generated:" not in cli + settings + protocol  # every marker was replaced


def test_the_site_loads_nothing_from_outside(site: Path) -> None:
    """No web fonts, scripts or styles from a CDN: the site reads the same offline."""
    loaded = re.compile(r'<(?:script|link|img)\b[^>]*(?:src|href)="(https?:)?//', re.I)
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not loaded.search(text), html
        assert "fonts.googleapis" not in text, html


def test_a_reference_page_without_its_marker_stops_the_build(tmp_path: Path) -> None:
    root = copy_sources(tmp_path)
    settings = root / "docs" / "reference" / "settings.md"
    settings.write_text(settings.read_text().replace("<!-- generated: settings -->", ""))
    built = build(root, root / "site")
    assert built.returncode != 0
    assert "reference/settings.md: the marker <!-- generated: settings --> is missing" in (
        built.stdout + built.stderr
    )


def test_a_broken_link_stops_the_build(tmp_path: Path) -> None:
    root = copy_sources(tmp_path)
    with (root / "docs" / "index.md").open("a") as index:
        index.write("\n[gone](how-to/no-such-page.md)\n")
    built = build(root, root / "site")
    assert built.returncode != 0
    assert "no-such-page.md" in built.stdout + built.stderr


def test_readme_has_the_test_command_ci_runs() -> None:
    readme = README.read_text(encoding="utf-8")
    assert f"```bash\n{TEST_COMMAND}\n```" in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == TEST_COMMAND


def test_readme_links_lead_to_files_of_the_repository() -> None:
    readme = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert any(t.startswith("docs/") for t in local), "the README links into docs/"
    missing = [t for t in local if not (REPO / t).exists()]
    assert not missing, f"README links to missing files: {missing}"
