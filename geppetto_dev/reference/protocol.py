"""The WebSocket protocol reference: every request type the server answers, and its answer."""

from __future__ import annotations

from geppetto_dev.protocol.replies import HandlerLookup, handled_types
from geppetto_dev.reference.markdown import code, table

__all__ = ["protocol_markdown", "server_registry"]


def server_registry() -> HandlerLookup:
    """The handlers every application answers with before a project adds its own.

    The one place that knows where they come from: the defaults an application includes.
    """
    from geppetto_dev.projects.defaults import default_handlers

    return default_handlers()


def protocol_markdown(registry: HandlerLookup | None = None) -> str:
    rows = [(code(row.type), row.reply) for row in handled_types(registry or server_registry())]
    return table(("Request type", "Answer (each with the request's `requestID`)"), rows)
