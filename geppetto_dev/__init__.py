"""geppetto-dev: build Geppetto applications with a Python backend."""

from geppetto_dev.protocol import Registry, Reply, Session, default_registry, handler

__all__ = ["Registry", "Reply", "Session", "default_registry", "handler"]
__version__ = "0.1.0"
