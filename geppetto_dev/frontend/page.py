"""A cheap check of a built frontend, without a browser: the page and the bundles it loads.

A webpack build can succeed and still leave a page that cannot work here: no `geppetto.vm`, a
script the page references but the build never wrote, or scripts under a context path that
`serve` does not map to the webapp. Those are found by reading the page and looking for each
script the static route would serve. (A bundle that throws in the browser is not: that is what
the release data and the browser tests are for.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from geppetto_dev.errors import GeppettoDevError

__all__ = ["PAGE", "PageCheck", "check_page"]

PAGE = Path("build") / "geppetto.vm"

_BASE = re.compile(r"<base\b[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)


@dataclass(frozen=True)
class PageCheck:
    """The page and the scripts it loads from the webapp, all present."""

    page: Path
    scripts: tuple[Path, ...]

    @property
    def size(self) -> int:
        return sum(path.stat().st_size for path in self.scripts)


def check_page(webapp: Path, context_path: str) -> PageCheck:
    """Check the built page; raise GeppettoDevError saying what is missing."""
    page = webapp / PAGE
    if not page.is_file():
        raise GeppettoDevError(
            f"the build finished but wrote no {PAGE} in {webapp}",
            "check that build-script in [tool.geppetto-dev] is the webpack build of the page, "
            "and see the build's log",
        )
    html = page.read_text(encoding="utf-8", errors="replace")
    base_match = _BASE.search(html)
    base = urljoin("/", base_match.group(1)) if base_match else "/"
    served = f"/{context_path}/geppetto/" if context_path else "/geppetto/"
    scripts: list[Path] = []
    missing: list[str] = []
    for src in _SCRIPT.findall(html):
        url = urlsplit(urljoin(base, src))
        if url.scheme or url.netloc:
            continue  # another host's script (analytics and the like): not ours to check
        path = unquote(url.path)
        if not path.startswith(served):
            raise GeppettoDevError(
                f"{PAGE} loads {path}, which 'serve' does not serve from the webapp "
                f"(it serves {served}...)",
                "set context-path in [tool.geppetto-dev] to the one the frontend was built "
                "with (GeppettoConfiguration.json's contextPath)",
            )
        file = webapp / path[len(served) :]
        if file.is_file() and file.stat().st_size > 0:
            scripts.append(file)
        else:
            missing.append(path[len(served) :])
    if missing:
        raise GeppettoDevError(
            f"{PAGE} loads scripts the build did not write: {', '.join(missing)}",
            "see the build's log; a clean rebuild may help (remove the webapp's build/ "
            "folder and run init again)",
        )
    if not scripts:
        raise GeppettoDevError(
            f"{PAGE} loads no script from the webapp: it is not a built Geppetto page",
            "check build-script in [tool.geppetto-dev] and the build's log",
        )
    return PageCheck(page=page, scripts=tuple(scripts))
