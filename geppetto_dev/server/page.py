"""The Flask blueprint that serves the Geppetto page, `build/geppetto.vm`, at `/`.

The page comes from the project's frontend once it is built, and until then from the prebuilt
frontend shipped in the package (`geppetto_dev.server.embedded`).
"""

from __future__ import annotations

import html
from pathlib import Path

from flask import Blueprint, Flask, current_app, redirect, render_template_string, request
from jinja2 import TemplateError
from werkzeug.wrappers import Response

from geppetto_dev.config import DEFAULT_BUILD_COMMAND, DEFAULT_FRONTEND_DIR, INSPECTOR_PATH
from geppetto_dev.server.embedded import BUILT_CONTEXT_PATH, PAGE, frontend_to_serve

__all__ = ["attach_page", "embedded_page", "frontend_dir", "not_built_page", "page_blueprint"]

FRONTEND_DIR_KEY = "GEPPETTO_FRONTEND_DIR"
INSPECTOR_KEY = "GEPPETTO_INSPECTOR"
CONTEXT_PATH_KEY = "GEPPETTO_CONTEXT_PATH"
# The project `/` shows when the page's URL names none (the first model file), if any.
HOME_PROJECT_KEY = "GEPPETTO_HOME_PROJECT"

page_blueprint = Blueprint("geppetto_page", __name__)


def frontend_dir() -> Path:
    """Where `attach_page` said the frontend is; else the default, as in a project's own tests,
    which register the blueprint on the app their `create_app()` builds, with no server."""
    configured = current_app.config.get(FRONTEND_DIR_KEY)
    return Path(configured) if configured else DEFAULT_FRONTEND_DIR.resolve()


@page_blueprint.route("/")
def geppetto_page() -> tuple[str, int, dict[str, str]] | str | Response:
    home = current_app.config.get(HOME_PROJECT_KEY)
    if home is not None and not request.args:
        # Both clients load what the page's URL names: name the home project there.
        return redirect(f"/?load_project_from_id={home}", 302)
    project_frontend = frontend_dir()
    served = frontend_to_serve(project_frontend)
    try:
        source = (served / PAGE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return not_built_page(project_frontend / PAGE), 200, {"Cache-Control": "no-store"}
    if served != project_frontend:
        return embedded_page(source), 200, {"Cache-Control": "no-store"}
    # The built page is plain HTML (one literal `$content`); Jinja leaves it as it is and lets a
    # project add variables. A page Jinja cannot parse is served verbatim rather than failing.
    try:
        return render_template_string(source)
    except TemplateError:
        return source


def embedded_page(source: str) -> str:
    """The prebuilt page, for this server's context path, with the inspector a click away."""
    context = current_app.config.get(CONTEXT_PATH_KEY, BUILT_CONTEXT_PATH)
    prefix = f"/{context}" if context else ""
    source = source.replace(f"/{BUILT_CONTEXT_PATH}/geppetto/", f"{prefix}/geppetto/")
    if current_app.config.get(INSPECTOR_KEY):
        link = (
            f'<a id="geppetto-dev-inspector" href="{INSPECTOR_PATH}" style="position:fixed;'
            "right:8px;bottom:6px;font:12px system-ui,sans-serif;color:#9aa5ad;"
            'z-index:10">protocol inspector</a>'
        )
        source = source.replace("</body>", link + "</body>", 1)
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


def attach_page(
    app: Flask,
    frontend: Path,
    *,
    inspector: bool,
    context_path: str = BUILT_CONTEXT_PATH,
    home_project: int | None = None,
) -> None:
    """Tell the blueprint where the frontend is; serve the page at `/` unless the app does."""
    app.config[FRONTEND_DIR_KEY] = str(frontend)
    app.config[INSPECTOR_KEY] = inspector
    app.config[CONTEXT_PATH_KEY] = context_path
    app.config[HOME_PROJECT_KEY] = home_project
    has_root = any(rule.rule == "/" for rule in app.url_map.iter_rules())
    if not has_root and page_blueprint.name not in app.blueprints:
        app.register_blueprint(page_blueprint)
