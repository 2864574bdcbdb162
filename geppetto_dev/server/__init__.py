"""The Tornado-Flask stack that serves a Geppetto application."""

from geppetto_dev.server.page import page_blueprint
from geppetto_dev.server.server import Server, ServerHooks, bind
from geppetto_dev.server.stack import make_app

__all__ = ["Server", "ServerHooks", "bind", "make_app", "page_blueprint"]
