"""The account a request's session cookie logs in, for the parts Flask does not serve (the
WebSocket, the project list): read through the Flask app's own session interface, with its
key, exactly as Flask reads it for a page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from geppetto_dev.accounts.login import ensure_secret
from geppetto_dev.accounts.service import Accounts
from geppetto_dev.accounts.users import Account

__all__ = ["USER_ID_KEY", "account_for_cookie", "login_token"]

# Where Flask-Login keeps the logged-in user's id (here, the login's token) in the session.
USER_ID_KEY = "_user_id"


def login_token(flask_app: Flask, cookie_header: str | None) -> str | None:
    """The login token in the session a Cookie header carries (None: no valid session)."""
    if not cookie_header:
        return None
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_COOKIE": cookie_header,
    }
    request = flask_app.request_class(environ)
    session = flask_app.session_interface.open_session(flask_app, request)
    token = session.get(USER_ID_KEY) if session is not None else None
    return token if isinstance(token, str) else None


def account_for_cookie(
    flask_app: Flask, accounts: Callable[[], Accounts], cookie_header: str | None
) -> Account | None:
    """Who the cookie logs in, while the login lasts (blocking: it reads the database)."""
    ensure_secret(flask_app, accounts)
    token = login_token(flask_app, cookie_header)
    return accounts().account(token) if token else None
