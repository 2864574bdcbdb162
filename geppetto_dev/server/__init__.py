"""The Tornado-Flask stack that serves a Geppetto application."""

from geppetto_dev.server.app import make_app
from geppetto_dev.server.page import page_blueprint
from geppetto_dev.server.run import run

__all__ = ["make_app", "page_blueprint", "run"]
