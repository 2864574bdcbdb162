"""The WebSocket protocol reference: every request type the server answers, and its answer."""

from __future__ import annotations

from geppetto_dev.protocol.replies import HandlerLookup, handled_types
from geppetto_dev.reference.markdown import code, table

__all__ = ["protocol_markdown", "server_registry"]


def server_registry() -> HandlerLookup:
    """The handlers a server answers with before a project adds its own.

    The one place that knows where they live: importing `geppetto_dev.projects` registers the
    project, model and experiment conversation in the protocol's built-in registry.
    """
    import geppetto_dev.projects  # noqa: F401 (registers the default handlers)
    from geppetto_dev.protocol.registry import builtin_registry

    return builtin_registry


def protocol_markdown(registry: HandlerLookup | None = None) -> str:
    rows = [(code(row.type), row.reply) for row in handled_types(registry or server_registry())]
    return table(("Request type", "Answer (each with the request's `requestID`)"), rows)
