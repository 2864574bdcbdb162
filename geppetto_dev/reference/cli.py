"""The command-line reference: every command, its usage, arguments and options."""

from __future__ import annotations

from geppetto_dev.reference.commands import Command, commands
from geppetto_dev.reference.markdown import code, table

__all__ = ["cli_markdown"]


def cli_markdown() -> str:
    """One section per command, as `--help` describes it, with the setting each option sets."""
    return "\n".join(_section(command) for command in commands())


def _section(command: Command) -> str:
    parts = [f"## `{command.name}`\n", f"{command.help}\n", f"```text\n{command.usage}\n```\n"]
    if command.parameters:
        rows = [
            (
                code(p.declaration),
                p.help,
                f"[`{p.setting.replace('_', '-')}`](settings.md)" if p.setting else "",
            )
            for p in command.parameters
        ]
        parts.append(table(("Argument or option", "Description", "Setting"), rows))
    return "\n".join(parts)
