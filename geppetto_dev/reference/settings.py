"""The settings reference: every field of `config.Settings`, with its type, default, environment
variable and command-line option, grouped by what it is for.

Types, defaults, names and options are read from the code. What a setting means is written
here; a setting added to `Settings` without a line here is still listed (under "Other", with
the comment above its field), so the page is never missing one.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import tempfile
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geppetto_dev.config import ENV_PREFIX, Settings, load_settings
from geppetto_dev.reference.commands import commands
from geppetto_dev.reference.markdown import code, table

__all__ = ["GROUPS", "SETTINGS_HELP", "settings_markdown"]

GROUPS = (
    "Your code",
    "Serving",
    "Who may connect",
    "WebSocket limits",
    "What the protocol tells the client",
    "Hot reload",
    "Frontend",
    "Experiments",
    "Other",
)

# Setting -> (group, what it means). Inline Markdown.
SETTINGS_HELP: dict[str, tuple[str, str]] = {
    "app": (
        "Your code",
        "The Flask app, `MODULE:ATTR`: an app, or a function returning one (`create_app`). "
        "Without it, a bare app serves the Geppetto page alone.",
    ),
    "handlers": (
        "Your code",
        "Package (or module) of WebSocket message handlers: the `@handler` functions of every "
        "module in it are collected at start, after the default handlers.",
    ),
    "projects": (
        "Your code",
        "Package (or module) of projects: the `@project` functions of every module in it are "
        "collected at start.",
    ),
    "project_files": (
        "Your code",
        "Folder of Java Geppetto project files: every project JSON in it (and below) is "
        "served as a project, with the XMI and model files it names, and no Python. A "
        "relative `load_project_from_url` names a file in it.",
    ),
    "model_files": (
        "Your code",
        "Model or project files (NeuroML, LEMS, SWC, OBJ, Collada, XMI, project JSON) served "
        "as projects, in this order; `/` shows the first. What `geppetto-dev view` serves.",
    ),
    "host": (
        "Serving",
        "Interface to bind. Loopback by default: nothing is exposed beyond this machine unless "
        "you say so.",
    ),
    "port": ("Serving", "Port to listen on; 0 picks a free one."),
    "context_path": (
        "Serving",
        "URL prefix of the frontend, as compiled into the Geppetto bundle: the WebSocket is "
        "`/<context-path>/GeppettoServlet`, static files `/<context-path>/geppetto/...`.",
    ),
    "frontend_dir": (
        "Serving",
        "The frontend's webapp folder (holds `package.json` and `build/`), served as static "
        "files and used by `build-watch`. Until it holds `build/geppetto.vm`, `/` shows the "
        "embedded frontend.",
    ),
    "inspector": ("Serving", "Serve the protocol inspector at `/_geppetto/inspector`."),
    "dev": (
        "Serving",
        "Development mode: errors (handlers, Flask views, runs) carry the traceback for "
        "local clients of a loopback-bound server only; never when bound beyond loopback "
        "([who sees tracebacks](limits.md#who-sees-exception-details)).",
    ),
    "wsgi_threads": (
        "Serving",
        "Threads running Flask views and synchronous handlers, so none of them delays "
        "WebSocket traffic.",
    ),
    "drain_timeout": (
        "Serving",
        "Seconds a stopping (or reloading) server keeps answering the requests it accepted.",
    ),
    "allowed_hosts": (
        "Who may connect",
        "Host names answered besides loopback names and the bound address (a defence against "
        "DNS rebinding): `dev.example`, `.example` (the name and every name under it), or "
        "`*`. Any other `Host` gets a 403 naming this setting.",
    ),
    "allowed_origins": (
        "Who may connect",
        "Origins, besides the page's own host and port, whose pages may open the WebSocket "
        "(`*` for any). Clients that send no `Origin` (scripts, tests) are accepted.",
    ),
    "fetch_project_urls": (
        "Who may connect",
        "Let `load_project_from_url` fetch http(s) project JSON that names no registered "
        "project. Off: any page that can open the WebSocket could otherwise make the server "
        "fetch what it likes.",
    ),
    "accounts": (
        "Who may connect",
        "Accounts mode: users log in at `/login` (add them with `geppetto-dev users add`), "
        "each with a role's privileges; projects they save are theirs; logged out, visitors "
        "may only read public projects. Needs the `accounts` extra. See "
        "[Accounts](../how-to/accounts.md).",
    ),
    "trust_network": (
        "Who may connect",
        "Serve a non-loopback `host` without accounts: everyone who can reach the server acts "
        "as the single user, with every privilege. Without it (or `accounts`), `serve` refuses "
        "such a host.",
    ),
    "login_recheck": (
        "Who may connect",
        "Accounts mode: seconds between re-reads of an open WebSocket's login. A logout, a new "
        "password, a removed account or a new role reaches connections already open within "
        "this long (the client is sent its new privileges); 0 reads it only when it opens.",
    ),
    "trusted_proxies": (
        "Who may connect",
        "Proxies (addresses or networks such as `10.0.0.0/8`) whose `X-Forwarded-For` names the "
        "client; a forwarded request from any other peer is treated as someone else's.",
    ),
    "max_message_size": (
        "WebSocket limits",
        "Bytes (UTF-8) of one message; a larger one gets a `generic_error`, a frame over "
        "twice this a 1009 close.",
    ),
    "max_send_buffer": (
        "WebSocket limits",
        "Bytes of replies waiting for one client behind the one being sent; while any wait, "
        "its requests are not read, and past this the socket is closed (1008).",
    ),
    "max_requests_in_flight": (
        "WebSocket limits",
        "Requests handled at once per WebSocket; past it no further message is read until one "
        "ends (nothing is dropped). Each may hold a thread and its reply's memory.",
    ),
    "ping_interval": ("WebSocket limits", "Seconds between WebSocket pings (0: none)."),
    "ping_timeout": (
        "WebSocket limits",
        "Seconds to wait for the pong; a client that does not answer is closed.",
    ),
    "geppetto_version": (
        "What the protocol tells the client",
        "Answered to `geppetto_version`.",
    ),
    "user_name": (
        "What the protocol tells the client",
        "The single user's name, sent in `user_privileges` (in accounts mode, each user's).",
    ),
    "privileges": (
        "What the protocol tells the client",
        "The single user's privileges: sent in `user_privileges` (the 0.3.8 client enables its "
        "controls by them, `RUN_EXPERIMENT` for the Run button) and checked on every message. "
        "In accounts mode each user's role decides instead.",
    ),
    "reload": (
        "Hot reload",
        "Restart the server when a Python file of the project changes, and reload open pages.",
    ),
    "reload_dirs": (
        "Hot reload",
        "Folders to watch instead of the project folder (relative to it). Only with reload.",
    ),
    "reload_excludes": (
        "Hot reload",
        "Glob patterns of files or folders not to watch, matched against names and "
        "project-relative paths. Only with reload.",
    ),
    "frontend": (
        "Frontend",
        "What `init` makes: `classic` clones org.geppetto.frontend 0.3.8; `meta` writes a "
        "geppetto-meta app from the npm registry. Changes the defaults of `frontend-dir`, "
        "`webapp-path`, `build-script` and `watch-script`.",
    ),
    "frontend_repo": ("Frontend", "Git URL or path `init` clones the classic frontend from."),
    "frontend_ref": ("Frontend", "Tag, branch or commit `init` builds."),
    "frontend_commit": (
        "Frontend",
        "Written by `init`: the commit it built last.",
    ),
    "frontend_clone": ("Frontend", "Where the clone lives, in the project folder."),
    "webapp_path": ("Frontend", "The webapp folder inside the clone."),
    "build_script": ("Frontend", "npm script `init` runs to build the frontend."),
    "watch_script": ("Frontend", "npm script `build-watch` and `serve --build-watch` run."),
    "npm_install_args": ("Frontend", "More arguments for `npm install`."),
    "npm_pins": (
        "Frontend",
        "A table of direct dependencies to set in the webapp's `package.json` (a version or "
        "spec) or drop (`false`) before installing.",
    ),
    "npm_overrides": (
        "Frontend",
        "A table of npm `overrides` for packages deeper in the tree, written into "
        "`package.json` before installing.",
    ),
    "release_fixes": (
        "Frontend",
        "Apply the shipped, tested fixes (pins, overrides, lockfile) of a known frontend release.",
    ),
    "database_url": (
        "Experiments",
        "Any SQLAlchemy URL for the experiment store; unset, an SQLite file "
        "`data/geppetto-dev.sqlite3` in the project folder. PostgreSQL needs "
        "`pip install 'geppetto-dev[postgres]'`.",
    ),
    "experiment_cluster": (
        "Experiments",
        "A Dask scheduler, `tcp://HOST:8786`, to run experiments on; unset, a pool of local "
        "processes. Needs `pip install 'geppetto-dev[dask]'`.",
    ),
}

_HINTS: dict[str, Any] = typing.get_type_hints(Settings)


def settings_markdown() -> str:
    """One table per group: key, type, default, environment variable and options, meaning."""
    fields = [f for f in dataclasses.fields(Settings) if f.name != "project_dir"]
    options = _options()
    classic, meta = _defaults("classic"), _defaults("meta")
    comments = _field_comments()
    by_group: dict[str, list[tuple[str, ...]]] = {group: [] for group in GROUPS}
    for f in fields:
        group, meaning = SETTINGS_HELP.get(f.name, ("Other", comments.get(f.name, "")))
        default = _toml(getattr(classic, f.name))
        if getattr(meta, f.name) != getattr(classic, f.name):
            default += f" (meta: {_toml(getattr(meta, f.name))})"
        by_group.setdefault(group, []).append(
            (
                code(f.name.replace("_", "-")),
                _type_name(_HINTS[f.name]),
                default,
                "<br>".join([code(ENV_PREFIX + f.name.upper()), *options.get(f.name, [])]),
                meaning,
            )
        )
    headers = ("Setting", "Type", "Default", "Environment variable, option", "Meaning")
    sections = [
        f"### {group}\n\n" + table(headers, rows) for group, rows in by_group.items() if rows
    ]
    return "\n".join(sections)


def _options() -> dict[str, list[str]]:
    """Setting -> the options that set it, as `serve --host`."""
    found: dict[str, list[str]] = {}
    for command in commands():
        verb = command.name.split(" ", 1)[1] if " " in command.name else ""
        for p in command.parameters:
            if p.setting:
                flags = " / ".join(p.flags)
                found.setdefault(p.setting, []).append(code(f"{verb} {flags}".strip()))
    return found


def _defaults(frontend: str) -> Settings:
    """The defaults as `load_settings` derives them, in an empty folder with no environment."""
    with tempfile.TemporaryDirectory() as empty:
        return load_settings({"frontend": frontend}, project_dir=Path(empty), environ={})


def _toml(value: Any) -> str:
    """A default as it is written in `[tool.geppetto-dev]`."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return code("true" if value else "false")
    if isinstance(value, float) and value.is_integer():
        return code(str(int(value)))
    if isinstance(value, int | float):
        return code(str(value))
    if isinstance(value, str | Path):
        return code(f'"{value}"')
    if isinstance(value, Mapping):
        return code("{}") if not value else code(str(dict(value)))
    if isinstance(value, tuple | list):
        return code("[" + ", ".join(f'"{item}"' for item in value) + "]")
    return code(repr(value))  # pragma: no cover - a type this page does not know yet


def _type_name(kind: Any) -> str:
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        kinds = [k for k in typing.get_args(kind) if k is not type(None)]
        return " or ".join(_type_name(k) for k in kinds)
    origin = typing.get_origin(kind)
    if origin is tuple:
        return f"list of {_type_name(typing.get_args(kind)[0])}s"
    if origin is Mapping or kind is Mapping:
        return "table"
    names = {bool: "boolean", int: "integer", float: "number", str: "string", Path: "path"}
    return names.get(kind, getattr(kind, "__name__", str(kind)))


_FIELD = re.compile(r"^    (\w+): ")


def _field_comments() -> dict[str, str]:
    """The comment lines right above each field of Settings, for settings with no help here."""
    comments: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(Settings).splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        match = _FIELD.match(line)
        if match and pending:
            comments[match.group(1)] = " ".join(pending)
        pending = []
    return comments
