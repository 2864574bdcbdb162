"""Logging in and out of the application's Flask app: Flask-Login for the session, Flask-WTF
for the forms' CSRF tokens (the hidden field `csrf_token`).

`POST /login` (fields `username`, `password`, `csrf_token`) answers with Flask's session
cookie, signed with the key kept in the database: HttpOnly, SameSite=Strict (never sent with
a request another site starts, so neither a form nor a WebSocket of another site acts as the
user), and Secure when the request came over TLS (directly, or through a proxy that says so
in X-Forwarded-Proto). A login clears the session and starts a new one with a new token, so
the session id rotates. The Tornado side reads the same cookie through Flask's own session
interface (cookies.py). Only the login forms are CSRF-checked: the app's own API is left as
it is.

Two consequences of a Strict cookie are handled here. An answer to a request another site
started never sets the cookie (that request came without it, so a new session would replace
the user's login: another site could log anyone out). And a page reached from another site
(a link to the Geppetto page or the login) first reloads itself, as this site's own request,
so it shows who is logged in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    has_request_context,
    redirect,
    render_template_string,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from geppetto_dev.accounts.pages import BAR, LOGIN_PAGE, LOGOUT_PAGE
from geppetto_dev.accounts.passwords import MAX_LENGTH
from geppetto_dev.accounts.service import LOGIN_LIFETIME, Accounts
from geppetto_dev.accounts.users import Account
from geppetto_dev.errors import GeppettoDevError

__all__ = ["LOGIN_PATH", "LOGOUT_PATH", "attach_login", "ensure_secret", "safe_next"]

log = logging.getLogger("geppetto_dev.accounts")

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
BLUEPRINT = "geppetto_accounts"
ADDRESS_KEY = "geppetto_client_address"
# The page whose HTML gets the account bar (see server/page.py).
PAGE_ENDPOINT = "geppetto_page.geppetto_page"


class LoginUser(UserMixin):  # type: ignore[misc]
    """What Flask-Login keeps for a request: the account and its login's token. The token is
    the id Flask-Login stores in the session, so ending the login ends the cookie's worth."""

    def __init__(self, account: Account, token: str) -> None:
        self.account = account
        self.token = token

    def get_id(self) -> str:
        return self.token


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField("User name", validators=[DataRequired(), Length(max=150)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()


class LogoutForm(FlaskForm):  # type: ignore[misc]
    next = HiddenField()


class _SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over TLS, and
    never written in answer to a request another site started."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app)) or _over_tls()

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if has_request_context() and cross_site():
            return
        super().save_session(app, session, response)


def cross_site() -> bool:
    """Whether another site started this request (a link, a form, a script): browsers say so
    in Sec-Fetch-Site; older ones name the other origin in Origin."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "cross-site"
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc.lower() != request.host.lower()


# Reloads the page as this site's own request (which carries the Strict cookie).
_SAME_SITE_AGAIN = (
    '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0">'
    "<title>Geppetto</title>"
)


def _same_site_again() -> Response | None:
    """A page reached from another site came without the cookie: load it again from here."""
    pages = (PAGE_ENDPOINT, f"{BLUEPRINT}.login", f"{BLUEPRINT}.logout")
    if request.method != "GET" or request.endpoint not in pages or not cross_site():
        return None
    response = Response(_SAME_SITE_AGAIN, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _over_tls() -> bool:
    if request.is_secure:
        return True
    # Set by a proxy that terminates TLS; a client forging it only loses its own cookie.
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def safe_next(target: str | None) -> str:
    """Where to go after logging in or out: a path of this site, never another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


# The client's address, which failed logins are counted by: (peer, headers) -> address. The
# server gives the rule of `trusted-proxies` (behind a proxy, the address it forwards).
ClientAddress = Callable[[str | None, Any], str]


def _address() -> str:
    found = current_app.extensions.get(ADDRESS_KEY)
    peer = request.remote_addr
    address = found(peer, request.headers) if found is not None else peer
    return (address or "unknown")[:64]


def _current() -> LoginUser | None:
    user = current_user._get_current_object()
    return user if isinstance(user, LoginUser) else None


def _page(template: str, form: FlaskForm, status: int = 200, **values: Any) -> Response:
    current = _current()
    body = render_template_string(
        template,
        form=form,
        current=current.account.name if current else None,
        action=request.path,
        login=LOGIN_PATH,
        next=safe_next(values.pop("next", None) or request.args.get("next")),
        **values,
    )
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"  # no clickjacking of the login form
    return response


def _csrf_refused(form: FlaskForm, what: str) -> bool:
    if "csrf_token" in form.errors:
        log.warning("refused a %s form without a valid CSRF token from %s", what, _address())
        return True
    return False


def login_blueprint(accounts: Callable[[], Accounts]) -> Blueprint:
    blueprint = Blueprint(BLUEPRINT, __name__)

    @blueprint.route(LOGIN_PATH, methods=["GET", "POST"])
    def login() -> Response:
        form = LoginForm()
        if request.method == "GET":
            return _page(LOGIN_PAGE, form)
        if not form.validate_on_submit():
            if _csrf_refused(form, "login"):
                error = "This form expired or came from another site: reload the page and log in."
            else:
                error = "Give a user name and a password."
            return _page(LOGIN_PAGE, form, 400, error=error, next=form.next.data)
        result = accounts().log_in(form.username.data, form.password.data, _address())
        if result.throttled is not None:
            minutes = max(1, round(result.throttled.retry_after_s / 60))
            error = f"Too many failed logins: try again in {minutes} minute(s)."
            response = _page(LOGIN_PAGE, form, 429, error=error, next=form.next.data)
            response.headers["Retry-After"] = str(result.throttled.retry_after_s)
            return response
        if result.account is None or result.token is None:
            error = "Wrong user name or password."
            return _page(LOGIN_PAGE, form, 401, error=error, next=form.next.data)
        previous = _current()
        if previous is not None:
            accounts().log_out(previous.token, _address())
        session.clear()  # a new session: nothing from before the login carries over
        login_user(LoginUser(result.account, result.token))
        session.permanent = True
        return redirect(safe_next(form.next.data), 303)  # type: ignore[return-value]

    @blueprint.route(LOGOUT_PATH, methods=["GET", "POST"])
    def logout() -> Response:
        form = LogoutForm()
        if request.method == "GET":
            return _page(LOGOUT_PAGE, form)
        if not form.validate_on_submit():
            _csrf_refused(form, "logout")
            error = "This form expired or came from another site: reload the page."
            return _page(LOGOUT_PAGE, form, 400, error=error)
        current = _current()
        if current is not None:
            accounts().log_out(current.token, _address())
        logout_user()
        session.clear()
        return redirect(safe_next(form.next.data), 303)  # type: ignore[return-value]

    return blueprint


def _add_bar(response: Response) -> Response:
    """The account bar on the Geppetto page: who is logged in, and the way in or out."""
    if request.endpoint != PAGE_ENDPOINT or response.mimetype != "text/html":
        return response
    page = response.get_data(as_text=True)
    if "</body>" not in page:
        return response
    current = _current()
    here = request.full_path.rstrip("?") if request.query_string else request.path
    bar = render_template_string(
        BAR,
        current=current.account.name if current else None,
        form=LogoutForm(),
        login=LOGIN_PATH,
        logout=LOGOUT_PATH,
        here=here,
    )
    response.set_data(page.replace("</body>", bar + "</body>", 1))
    response.headers["Cache-Control"] = "no-store"
    return response


def attach_login(
    flask_app: Flask,
    accounts: Callable[[], Accounts],
    client_address: ClientAddress | None = None,
) -> None:
    """Give `flask_app` the login and logout pages and the session cookie they set.

    `accounts` returns the running Accounts (it may wait for the application to start); the
    session key is read from it on the first request. `client_address` says which address a
    request comes from (the peer's without it).
    """
    if BLUEPRINT in flask_app.blueprints:
        return
    if client_address is not None:
        flask_app.extensions[ADDRESS_KEY] = client_address
    taken = [r.rule for r in flask_app.url_map.iter_rules() if r.rule in (LOGIN_PATH, LOGOUT_PATH)]
    if taken:
        raise GeppettoDevError(
            f"the app already has a route at {taken[0]}, where accounts mode serves its own",
            "move the app's route elsewhere, or serve without --accounts",
        )
    if getattr(flask_app, "login_manager", None) is not None:
        raise GeppettoDevError(
            "the app already has a Flask-Login LoginManager",
            "serve without --accounts to keep the app's own logins",
        )
    config = flask_app.config
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Strict"
    config["PERMANENT_SESSION_LIFETIME"] = LOGIN_LIFETIME
    if type(flask_app.session_interface) is SecureCookieSessionInterface:
        flask_app.session_interface = _SessionCookies()
    manager = LoginManager()
    manager.login_view = f"{BLUEPRINT}.login"

    @manager.user_loader  # type: ignore[untyped-decorator]
    def load(token: str) -> LoginUser | None:
        account = accounts().account(token)
        return LoginUser(account, token) if account is not None else None

    manager.init_app(flask_app)
    flask_app.register_blueprint(login_blueprint(accounts))
    flask_app.before_request(_same_site_again)
    flask_app.after_request(_add_bar)
    inner = flask_app.wsgi_app

    def with_secret(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        ensure_secret(flask_app, accounts)
        return inner(environ, start_response)

    flask_app.wsgi_app = with_secret  # type: ignore[method-assign]


def ensure_secret(flask_app: Flask, accounts: Callable[[], Accounts]) -> None:
    """The app's own key if it has one, else the one kept in the database."""
    if not flask_app.secret_key:
        flask_app.secret_key = accounts().secret_key()
