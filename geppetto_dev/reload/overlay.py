"""The error overlay of `serve --reload`: the script pages get, and the error page.

The script (overlay.js, styled by overlay.css, both inlined: a page needs no second request,
and a page whose own scripts broke still gets it) holds the live-reload socket and draws the
errors it is sent over the page. The error page of a server whose app failed to load shows the
same overlay rendered here, so it reads the same without JavaScript (curl, a log) and the
script takes it over when it connects.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from geppetto_dev.problems import PYTHON, Problem

__all__ = ["OVERLAY_ID", "error_page", "script_tag"]

OVERLAY_ID = "geppetto-error-overlay"
_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def _css() -> str:
    return (_HERE / "overlay.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _script() -> str:
    return (_HERE / "overlay.js").read_text(encoding="utf-8")


def script_tag(boot_id: str, path: str, retry_ms: int) -> str:
    """The `<script data-geppetto-livereload>` element injected into pages."""
    source = (
        _script()
        .replace("__BOOT__", json.dumps(boot_id))
        .replace("__CSS__", json.dumps(_css()))
        .replace("__RETRY__", str(int(retry_ms)))
        .replace("__PATH__", json.dumps(path))
    )
    # Nothing in it may end the element early (the CSS and the ids are ours, but say so).
    source = source.replace("</", "<\\/")
    return f"<script data-geppetto-livereload>{source}</script>"


def _code(problem: Problem) -> str:
    width = len(str(problem.code[-1][0]))
    rows = []
    for number, text in problem.code:
        here = number == problem.line
        line = f"{'>' if here else ' '} {number:>{width}} | {text}"
        tag = "mark" if here else "span"
        rows.append(f'<{tag} class="geppetto-code-line">{html.escape(line)}</{tag}>')
        if here and problem.column:
            caret = " " * (width + 4 + problem.column) + "^"
            rows.append(f'<span class="geppetto-caret">{caret}</span>')
    return '<pre class="geppetto-code">' + "\n".join(rows) + "</pre>"


def _section(problem: Problem) -> str:
    message = f"{problem.title}: {problem.message}" if problem.message else problem.title
    parts = [
        f'<section class="geppetto-problem" data-source="{html.escape(problem.source)}">',
        f'<h2 class="geppetto-heading">{html.escape(problem.heading)}</h2>',
        f'<p class="geppetto-message">{html.escape(message)}</p>',
    ]
    if problem.where:
        parts.append(f'<p class="geppetto-where">{html.escape(problem.where)}</p>')
    if problem.code:
        parts.append(_code(problem))
    if problem.detail:
        label = "Traceback" if problem.source == PYTHON else "Build output"
        # Open when it shows the calls that led there (the code above already shows the line).
        shown = " open" if problem.detail.startswith("Traceback (most recent call last)") else ""
        parts.append(
            f'<details class="geppetto-detail"{shown}><summary>{label}</summary>'
            f"<pre>{html.escape(problem.detail)}</pre></details>"
        )
    parts.append("</section>")
    return "".join(parts)


def error_page(title: str, problems: Sequence[Problem]) -> str:
    """A whole page showing `problems` as the overlay does (already redacted for the client)."""
    sections = "".join(_section(p) for p in problems)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f'<div id="{OVERLAY_ID}" role="alertdialog" aria-label="Errors"><style>{_css()}</style>'
        f'<div class="geppetto-panel">{sections}'
        '<p class="geppetto-hint">Save a fix and this page reloads by itself.</p></div></div>'
        "</body></html>"
    )
