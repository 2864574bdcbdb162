"""The protocol inspector: a page that shows every Geppetto WebSocket message both ways."""

from geppetto_dev.server.inspector.routes import INSPECTOR_PATH, inspector_routes

__all__ = ["INSPECTOR_PATH", "inspector_routes"]
