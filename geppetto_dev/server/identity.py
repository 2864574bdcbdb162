"""Who a Tornado request acts for: the WebSocket and the REST routes Tornado answers itself
read the same session cookie as the Flask pages (see accounts/cookies.py)."""

from __future__ import annotations

import asyncio

from tornado.httputil import HTTPServerRequest

from geppetto_dev.application import GeppettoApp
from geppetto_dev.projects.viewer import Viewer

__all__ = ["viewer_of_request"]


async def viewer_of_request(
    app: GeppettoApp, request: HTTPServerRequest, address: str | None = None
) -> Viewer:
    """The request's viewer, once the application's services are open (opened at once if
    the server deferred them). `address`: the client's, for the log (the peer's if None)."""
    ready = app.start_in_background()
    if not ready.done():
        await asyncio.wrap_future(ready)
    cookie = request.headers.get("Cookie")
    address = address or request.remote_ip
    if not app.settings.accounts:
        return app.viewer_for(cookie, address)
    # The session's login is looked up in the database: off the event loop.
    return await asyncio.to_thread(app.viewer_for, cookie, address)
