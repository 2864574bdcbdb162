"""Experiment scripts: `get_script` -> `script_fetched` with the script's text.

The 0.3.8 client asks for the active experiment's `script` right after `experiment_loaded`
(and for any URL given to `G.runScript` in its console), then runs it line by line. Java read
the URL relative to the project's base URL, from anywhere. Here a script comes from the
project: its `script` hook, or a `.js` file inside the project's folder; a URL naming a host,
a file outside the folder or another kind of file gets an `info_message`, never a fetch.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from geppetto_dev.projects.conversation import info, loaded_project, obj
from geppetto_dev.projects.project import Project
from geppetto_dev.protocol.registry import Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = ["MAX_SCRIPT_SIZE", "get_script", "read_script"]

MAX_SCRIPT_SIZE = 1024 * 1024
SCRIPT_SUFFIXES = (".js",)


class ScriptError(Exception):
    """Why a script cannot be given; the client shows it."""


def _relative(url: str) -> PurePosixPath:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        raise ScriptError(
            f"{url!r} is a URL: scripts are read from the project's files, never fetched; "
            "copy it into the project's folder and give its path (script: 'scripts/x.js')"
        )
    # A leading / is the project's folder, as in Java's downloaded projects ("/script.js").
    path = PurePosixPath(unquote(parts.path).lstrip("/"))
    if ".." in path.parts or not path.parts:
        raise ScriptError(
            f"script {url!r}: give a path relative to the project's folder, without '..'"
        )
    if path.suffix.lower() not in SCRIPT_SUFFIXES:
        raise ScriptError(f"script {url!r}: only {', '.join(SCRIPT_SUFFIXES)} files are scripts")
    return path


def read_script(project: Project, url: str) -> str:
    """The text of a project's script (ScriptError saying why not)."""
    if not url.strip():
        raise ScriptError("get_script names no scriptURL")
    if project.script_hook is not None:
        text = project.script_hook(url)
        if text is not None:
            return text
    relative = _relative(url.strip())
    folder = project.files
    if folder is None:
        raise ScriptError(f"project {project.name!r} has no folder to read {url!r} from")
    root = folder.resolve()
    path = (root / Path(*relative.parts)).resolve()
    if not path.is_relative_to(root):  # a symbolic link out of the folder
        raise ScriptError(f"script {url!r} is outside the project's folder")
    try:
        size = path.stat().st_size
        if size > MAX_SCRIPT_SIZE:
            raise ScriptError(f"script {url!r} is larger than {MAX_SCRIPT_SIZE} bytes")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else type(exc).__name__
        raise ScriptError(
            f"cannot read script {url!r} of project {project.name!r}: {reason}"
        ) from None


@handler("get_script")
def get_script(conn: Session, data: Any) -> Reply:
    """`script_fetched` with the text of the experiment's script."""
    loaded = loaded_project(conn, data)
    url = obj(data).get("scriptURL")
    try:
        text = read_script(loaded.runtime.project, url if isinstance(url, str) else "")
    except ScriptError as exc:
        raise info(str(exc)) from None
    return Reply("script_fetched", {"script_fetched": text})
