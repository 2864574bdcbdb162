"""The default handlers: the whole project, model and experiment conversation the real clients
hold. An application includes them (and a project's own handler for a type replaces its
default); nothing registers them by being imported."""

from __future__ import annotations

from geppetto_dev.projects import (
    batches,
    editing,
    experiments,
    loading,
    model_requests,
    persistence,
    query_requests,
    scripts,
    session_requests,
    transfers,
)
from geppetto_dev.protocol.registry import Registry, protocol_handlers

__all__ = ["default_handlers"]


def default_handlers() -> Registry:
    """A new registry with every default handler, the protocol's own included."""
    registry = protocol_handlers()
    registry.include(
        Registry.from_modules(
            [
                loading,
                model_requests,
                experiments,
                editing,
                persistence,
                batches,
                query_requests,
                scripts,
                transfers,
                session_requests,
            ]
        )
    )
    for kind, answer in experiments.unsupported_handlers().items():
        registry.add(kind, answer)
    return registry
