"""A usage error of the `geppetto-dev` command as one line: what is wrong, how to fix it.

Click's own messages span lines and end in a usage block; `main` (cli.py) prints this instead,
with "did you mean" for a slip of the keyboard in a command, an option or a choice.
"""

from __future__ import annotations

import difflib
import re

import typer
from typer.exceptions import TyperException

__all__ = ["usage_line"]


def usage_line(exc: TyperException, app: typer.Typer) -> str:
    """A usage error as `what is wrong; how to fix it`, with "did you mean" for a slip."""
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", "") or "geppetto-dev"
    see = f"see '{command} --help'"
    option = getattr(exc, "option_name", None)
    if isinstance(option, str):  # NoSuchOption
        elsewhere = [name for name, params in _options_by_command(app).items() if option in params]
        if elsewhere and command != "geppetto-dev":
            commands = " and ".join(f"'geppetto-dev {name}'" for name in elsewhere)
            return f"{command} has no option {option}; it is an option of {commands}"
        known = _options_by_command(app).get(command.removeprefix("geppetto-dev").strip(), [])
        guess = _closest(option, known or getattr(exc, "possibilities", None) or [])
        hint = f"did you mean {guess}?" if guess else see
        return f"no such option {option} for '{command}'; {hint}"
    message = re.sub(r"\s*\n\s*", " ", exc.format_message().strip()).rstrip(".")
    if message.startswith("No such command"):
        name = message.split("'")[1] if message.count("'") >= 2 else ""
        guess = _closest(name, list(_options_by_command(app)))
        hint = f"did you mean '{guess}'?" if guess else see
        return f"no such command '{name}'; {hint}"
    message = message.replace("Value error, ", "")
    choice = re.search(r"'([^']*)' is not one of ((?:'[^']*'(?:, )?)+)", message)
    if choice:
        guess = _closest(choice[1], re.findall(r"'([^']*)'", choice[2]))
        see = f"did you mean '{guess}'?" if guess else see
    return f"{message[:1].lower()}{message[1:]}; {see}"


def _closest(word: str, candidates: list[str]) -> str | None:
    """The likeliest of `candidates` for a slip of the keyboard, compared without dashes."""
    bare = {candidate.lstrip("-"): candidate for candidate in candidates}
    found = difflib.get_close_matches(word.lstrip("-"), list(bare), n=1, cutoff=0.6)
    return bare[found[0]] if found else None


def _options_by_command(app: typer.Typer) -> dict[str, list[str]]:
    """Each command's option names (`--port`, `--no-reload`, ...), for the hints above."""
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    return {
        name: [opt for param in command.params for opt in (*param.opts, *param.secondary_opts)]
        for name, command in commands.items()
    }
