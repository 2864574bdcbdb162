"""What an edited pyproject.toml means for a running `serve --reload`.

The settings are read again as at the start, beneath the same command-line options (which
still win). What a new server child reads (the app, handlers, dev, privileges, database, ...)
takes effect by restarting it, as a save of a Python file does. What this session set up once
cannot change under it: the listening socket (host, port), what is watched (reload-dirs,
reload-excludes), and, beside `--build-watch`, the frontend watcher; those keep their values
and the user is told, in one line, that they need a full restart. Settings only `init` reads
change nothing here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from geppetto_dev.config import Settings, load_settings
from geppetto_dev.errors import GeppettoDevError

__all__ = [
    "BUILD_WATCH_SETTINGS",
    "SESSION_SETTINGS",
    "SettingsChange",
    "reread_settings",
]

# Bound or set up once per `serve --reload` session.
SESSION_SETTINGS = frozenset({"host", "port", "reload", "reload_dirs", "reload_excludes"})
# Read once by the frontend watcher that `serve --build-watch` runs beside the server.
BUILD_WATCH_SETTINGS = frozenset(
    {"frontend", "frontend_dir", "frontend_clone", "webapp_path", "watch_script"}
)
# Read by `init` (and `build-watch`) only: no server uses them.
INIT_SETTINGS = frozenset(
    {
        "frontend_repo",
        "frontend_ref",
        "frontend_commit",
        "build_script",
        "npm_install_args",
        "npm_overrides",
        "npm_pins",
        "release_fixes",
        "webapp_path",
        "frontend_clone",
        "watch_script",
        "frontend",
    }
)


@dataclass(frozen=True)
class SettingsChange:
    """The settings the next server runs with (None: keep the current ones), and what to say.

    Each message is (text, is_error).
    """

    settings: Settings | None
    messages: tuple[tuple[str, bool], ...]


def reread_settings(
    current: Settings,
    overrides: Mapping[str, Any] | None,
    fixed: Iterable[str] = SESSION_SETTINGS,
) -> SettingsChange:
    """Read the settings again and compare; `fixed` are those this session cannot change."""
    try:
        fresh = load_settings(overrides, project_dir=current.project_dir)
    except GeppettoDevError as exc:
        text = f"Settings not applied: {exc.format()}. The server keeps its previous settings."
        return SettingsChange(None, ((text, True),))
    changed = [
        f.name
        for f in dataclasses.fields(Settings)
        if getattr(current, f.name) != getattr(fresh, f.name)
    ]
    frozen = set(fixed)
    kept = [name for name in changed if name in frozen]
    applied = [name for name in changed if name not in frozen and name not in INIT_SETTINGS]
    messages: list[tuple[str, bool]] = []
    if kept:
        verb = "needs" if len(kept) == 1 else "need"
        messages.append(
            (
                f"pyproject.toml: {_describe(kept, current, fresh)} {verb} a full restart: "
                "stop serve (Ctrl-C) and start it again.",
                True,
            )
        )
    if applied:
        messages.append(
            (
                f"pyproject.toml: {_describe(applied, current, fresh)}; restarting the server "
                "with the new settings.",
                False,
            )
        )
    elif not kept:
        given = sorted(k.replace("_", "-") for k, v in (overrides or {}).items() if v is not None)
        note = f" (the command line sets {', '.join(given)}: it wins)" if given else ""
        messages.append((f"pyproject.toml changed, but no setting the server uses{note}.", False))
    if not applied:
        return SettingsChange(None, tuple(messages))
    # What the session holds keeps its running value until a full restart.
    settings = dataclasses.replace(fresh, **{name: getattr(current, name) for name in kept})
    return SettingsChange(settings, tuple(messages))


def _describe(names: list[str], old: Settings, new: Settings) -> str:
    """`port 5000 -> 5001, dev false -> true, privileges changed`."""
    parts = []
    for name in names:
        key = name.replace("_", "-")
        before, after = getattr(old, name), getattr(new, name)
        if isinstance(after, bool | int | float | str) or after is None:
            parts.append(f"{key} {_show(before)} -> {_show(after)}")
        else:
            parts.append(f"{key} changed")
    return ", ".join(parts)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(unset)"
    text = str(value)
    return repr(text) if isinstance(value, str) else text
