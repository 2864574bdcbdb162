"""The reference pages generated from the code: the command line from the Typer app, the
settings from `config.Settings`, the WebSocket protocol from the handler registry, the
conformance with the Java server from the registry and the tests' marks.

The documentation site renders them at build time (`docs/hooks.py`), so they cannot drift
from the code; `python -m geppetto_dev.reference NAME` prints one as Markdown.
"""

from __future__ import annotations

from collections.abc import Callable

from geppetto_dev.reference.cli import cli_markdown
from geppetto_dev.reference.conformance import conformance_markdown
from geppetto_dev.reference.protocol import protocol_markdown
from geppetto_dev.reference.settings import settings_markdown

__all__ = [
    "GENERATED",
    "cli_markdown",
    "conformance_markdown",
    "protocol_markdown",
    "render",
    "settings_markdown",
]

# Generated part -> its renderer; the docs mark where each goes with `<!-- generated: NAME -->`.
GENERATED: dict[str, Callable[[], str]] = {
    "cli": cli_markdown,
    "settings": settings_markdown,
    "protocol": protocol_markdown,
    "conformance": conformance_markdown,
}


def render(name: str) -> str:
    """One generated part as Markdown; an unknown name lists the known ones."""
    try:
        renderer = GENERATED[name]
    except KeyError:
        raise KeyError(f"no generated part {name!r}; known: {', '.join(GENERATED)}") from None
    return renderer()
