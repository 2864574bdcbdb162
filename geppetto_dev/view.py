"""`geppetto-dev view PATH...`: model and project files in the browser, with no project.

Each file (NeuroML, LEMS, SWC, OBJ, Collada, XMI, a Java project JSON) is served as a project
of its own: the first at `/`, each at `/?load_project_from_id=N`, N derived from the file's
path (see projects/file_projects.py), in the order given. Every file is read before the server
starts, so a bad one is one line naming the file and line, and a non-zero exit.

It runs anywhere, a project folder or not: none of the folder's code is imported and nothing is
written into it. Experiments go to a database in the user's cache folder (unless
`database-url` is set), where a file's stay its own: its id comes from its path and they reset
when its content changes. With `--reload` the reload supervisor watches the files themselves:
a save restarts the server and open pages load the file again.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import webbrowser
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from geppetto_dev.application import GeppettoApp
from geppetto_dev.caches import user_cache_dir
from geppetto_dev.config import Settings, load_settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.projects.file_projects import file_project_id

__all__ = ["VIEW_DATABASE", "page_urls", "view", "view_settings"]

# The experiments of viewed files, below the user's cache folder.
VIEW_DATABASE = Path("view") / "experiments.sqlite3"


def view_settings(
    paths: Sequence[Path],
    overrides: Mapping[str, Any],
    *,
    project_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings of the folder (frontend, host, port, ...) serving `paths` and only them."""
    here = (project_dir or Path.cwd()).resolve()
    if not paths:
        raise GeppettoDevError("name at least one file to view", "e.g. geppetto-dev view cell.nml")
    files: list[Path] = []
    for given in paths:
        path = (here / given).resolve()
        if not path.is_file():
            what = "is a folder" if path.is_dir() else "does not exist"
            raise GeppettoDevError(
                f"{given}: {what}",
                "give the path of a model or project file (.nml, .xml, .swc, .obj, .dae, "
                ".xmi, .json)",
            )
        if path not in files:
            files.append(path)
    settings = load_settings(overrides, project_dir=here, environ=environ)
    database = settings.database_url or f"sqlite:///{user_cache_dir(environ) / VIEW_DATABASE}"
    return dataclasses.replace(
        settings,
        app=None,
        handlers=None,
        projects=None,
        project_files=None,
        model_files=tuple(files),
        database_url=database,
        reload_dirs=(),
        reload_excludes=(),
    )


def page_urls(base: str, settings: Settings) -> list[tuple[str, str]]:
    """(URL, what it shows): `/` for the first file, then each file's own URL."""
    here = settings.project_dir
    urls = [(f"{base}/", "the first file")]
    for path in settings.model_files:
        shown = path.relative_to(here) if path.is_relative_to(here) else path
        urls.append((f"{base}/?load_project_from_id={file_project_id(path)}", str(shown)))
    return urls


def _can_open_a_browser(environ: Mapping[str, str]) -> bool:
    """Not from a terminal with no display: webbrowser would pick a text browser there and
    take the terminal the server prints to."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def _open(urls: Sequence[str]) -> None:
    for url in urls:
        webbrowser.open_new_tab(url)


def view(settings: Settings, *, open_browser: bool = True, out: TextIO | None = None) -> int:
    """Serve the settings' model files until Ctrl-C; the exit code."""
    from geppetto_dev.server.server import bind

    out = out or sys.stdout
    try:
        app = GeppettoApp.load(settings)  # reads every file: a bad one is one line
    except GeppettoDevError as error:  # its paths as the user gave them, relative to here
        here = f"{settings.project_dir}{os.sep}"
        message = error.message.replace(here, "")
        raise GeppettoDevError(message, error.hint.replace(here, "")) from None
    sockets = bind(settings)
    host, port = sockets[0].getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    urls = page_urls(f"http://{shown}:{port}", settings)
    width = max(len(url) for url, _ in urls)
    print("Viewing:", file=out)
    for url, what in urls:
        print(f"  {url:<{width}}  {what}", file=out)
    if open_browser:
        if _can_open_a_browser(os.environ):
            pages = [urls[0][0], *(url for url, _ in urls[2:])]
            threading.Thread(target=_open, args=(pages,), daemon=True).start()
        else:
            print("No display to open a browser on: open the URLs above yourself.", file=out)
    out.flush()
    if settings.reload:
        from geppetto_dev.reload.supervisor import Supervisor
        from geppetto_dev.reload.watch import plan_files

        return Supervisor(settings, sockets=sockets, plan=plan_files(settings.model_files)).run()
    from geppetto_dev.logs import configure as configure_logging
    from geppetto_dev.server.server import Server

    configure_logging()
    threading.Thread(target=_warm, args=(app,), name="geppetto-view-warm", daemon=True).start()
    Server(app).run(sockets)  # its banner says where experiments are stored
    return 0


def _warm(app: GeppettoApp) -> None:
    """Serialise each file's model once while the first page loads its bundle: the first
    load of a file then only sends it (the models were read at start anyway)."""
    services = app.start_in_background().result()
    for project_id in (file_project_id(p) for p in app.settings.model_files):
        project = services.projects.projects.by_id(project_id)
        if project is not None:
            services.projects.runtime_for(project).source.open().delta()
