"""The commands of `geppetto-dev` as data, read from the Typer app the CLI runs.

Only Click's public interface (contexts, parameters, help records) is used, so the pages show
what `--help` shows. Which setting an option sets is decided here, once, for both the command
line and the settings pages.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import typer.main

from geppetto_dev.cli import app
from geppetto_dev.config import Settings

__all__ = ["PROGRAM", "Command", "Parameter", "commands", "setting_of"]

PROGRAM = "geppetto-dev"
# Parameter names that differ from their setting (`app` is the Typer object in cli.py).
_RENAMED = {"app_ref": "app"}
_SETTINGS = {f.name for f in dataclasses.fields(Settings)} - {"project_dir"}


@dataclass(frozen=True)
class Parameter:
    """An argument or option: how it is written, its help, and the setting it sets (if any)."""

    kind: str  # "argument" or "option"
    declaration: str  # "--port <int range>", "DIR <path>"
    help: str
    flags: tuple[str, ...]  # "--reload", "--no-reload"; empty for an argument
    setting: str | None


@dataclass(frozen=True)
class Command:
    name: str  # "geppetto-dev serve"; the program itself for the root
    help: str
    usage: str
    parameters: tuple[Parameter, ...]


def setting_of(parameter_name: str) -> str | None:
    """The setting an option feeds: same name, a known rename, or the plural of a repeatable."""
    name = _RENAMED.get(parameter_name, parameter_name)
    for candidate in (name, name + "s"):
        if candidate in _SETTINGS:
            return candidate
    return None


def commands() -> list[Command]:
    """The program, then each command in the order the CLI declares them (a group's own
    commands, such as `users add`, right after the group)."""
    group = typer.main.get_command(app)
    root = group.make_context(PROGRAM, [], resilient_parsing=True)
    found = [_command(group, root, PROGRAM)]
    found += _commands_of(group, root, PROGRAM)
    return found


def _commands_of(group: Any, parent: Any, prefix: str) -> list[Command]:
    found = []
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "hidden", False):
            continue
        context = command.make_context(name, [], parent=parent, resilient_parsing=True)
        found.append(_command(command, context, f"{prefix} {name}"))
        found += _commands_of(command, context, f"{prefix} {name}")
    return found


def _command(command: Any, context: Any, name: str) -> Command:
    parameters = []
    for param in command.get_params(context):
        record = param.get_help_record(context)
        if record is None or param.name == "help":
            continue
        declaration, text = record
        is_option = param.param_type_name == "option"
        flags = (*param.opts, *param.secondary_opts) if is_option else ()
        setting = setting_of(param.name) if is_option else None
        parameters.append(Parameter(param.param_type_name, declaration, text, flags, setting))
    usage = command.get_usage(context).removeprefix("Usage:").strip()
    return Command(name, (command.help or "").strip(), usage, tuple(parameters))
