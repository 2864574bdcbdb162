"""The Flask blueprint that serves the Geppetto page, `build/geppetto.vm`, at `/`."""

from __future__ import annotations

import html
from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template_string
from jinja2 import TemplateError

from geppetto_dev.config import DEFAULT_BUILD_COMMAND, DEFAULT_FRONTEND_DIR, INSPECTOR_PATH

__all__ = ["attach_page", "frontend_dir", "not_built_page", "page_blueprint"]

FRONTEND_DIR_KEY = "GEPPETTO_FRONTEND_DIR"
INSPECTOR_KEY = "GEPPETTO_INSPECTOR"
PAGE = Path("build/geppetto.vm")

page_blueprint = Blueprint("geppetto_page", __name__)


def frontend_dir() -> Path:
    """Where `attach_page` said the frontend is; else the default, as in a project's own tests,
    which register the blueprint on the app their `create_app()` builds, with no server."""
    configured = current_app.config.get(FRONTEND_DIR_KEY)
    return Path(configured) if configured else DEFAULT_FRONTEND_DIR.resolve()


@page_blueprint.route("/")
def geppetto_page() -> tuple[str, int, dict[str, str]] | str:
    page = frontend_dir() / PAGE
    try:
        source = page.read_text(encoding="utf-8")
    except FileNotFoundError:
        return not_built_page(page), 200, {"Cache-Control": "no-store"}
    # The built page is plain HTML (one literal `$content`); Jinja leaves it as it is and lets a
    # project add variables. A page Jinja cannot parse is served verbatim rather than failing.
    try:
        return render_template_string(source)
    except TemplateError:
        return source


def not_built_page(page: Path) -> str:
    inspector = (
        f'<p>Meanwhile, the <a href="{INSPECTOR_PATH}">protocol inspector</a> shows and sends '
        "WebSocket messages.</p>"
        if current_app.config.get(INSPECTOR_KEY)
        else ""
    )
    where = html.escape(str(page))
    webapp = html.escape(str(page.parent.parent))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Geppetto frontend not built</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;
color:#222}}code,pre{{background:#f3f3f3;padding:.1rem .3rem;border-radius:4px}}
pre{{padding:.8rem}}</style></head>
<body><h1>The Geppetto frontend is not built yet</h1>
<p>The server is running, but there is no Geppetto page at <code>{where}</code>.</p>
<p>Clone and build the frontend into this project with:</p>
<pre>geppetto-dev init .</pre>
<p>or, if the frontend is already cloned, build it in <code>{webapp}</code>:</p>
<pre>{html.escape(DEFAULT_BUILD_COMMAND)}</pre>
<p>Point the server at another webapp folder with <code>--frontend-dir PATH</code>.</p>
{inspector}
</body></html>
"""


def attach_page(app: Flask, frontend: Path, *, inspector: bool) -> None:
    """Tell the blueprint where the frontend is; serve the page at `/` unless the app does."""
    app.config[FRONTEND_DIR_KEY] = str(frontend)
    app.config[INSPECTOR_KEY] = inspector
    has_root = any(rule.rule == "/" for rule in app.url_map.iter_rules())
    if not has_root and page_blueprint.name not in app.blueprints:
        app.register_blueprint(page_blueprint)
