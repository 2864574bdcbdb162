"""Logging in over real HTTP to a real server in accounts mode, and the WebSocket honouring the
session: CSRF, the cookie's attributes, session rotation, logout, rate limits, Origin and Host
checks, and no password in the log."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.accounts.conftest import PASSWORDS, Served
from tests.accounts.web import Web, csrf_of, ws_connect
from tests.projects.conftest import TINY_ID
from tests.server.conftest import run_async


async def privileges_over_ws(served: Served, cookie: str = "", origin: str | None = None) -> Any:
    client = await ws_connect(served.ws_url, cookie, origin)
    _client_id, privileges = await client.handshake()
    client.conn.close()
    return json.loads(json.loads(privileges["data"])["user_privileges"])


def test_the_login_page_has_the_fields_and_a_csrf_token(served: Served) -> None:
    page = Web(served.url).get("/login")
    assert page.status == 200
    for field in ('name="username"', 'name="password"', 'name="csrf_token"'):
        assert field in page.text
    assert page.headers["Cache-Control"] == "no-store"


def test_a_login_sets_a_strict_httponly_session_cookie(served: Served) -> None:
    web = Web(served.url)
    answer = web.login("alice", PASSWORDS["alice"], "/?load_project_from_id=1")
    assert answer.status == 303
    assert answer.headers["Location"] == "/?load_project_from_id=1"
    (cookie,) = [c for c in answer.cookies() if c.startswith("session=")]
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert {"httponly", "samesite"} <= attributes and "secure" not in attributes
    assert "SameSite=Strict" in cookie


def test_behind_tls_the_cookie_is_secure(served: Served) -> None:
    web = Web(served.url)
    token = csrf_of(web.get("/login").text)
    fields = {"username": "alice", "password": PASSWORDS["alice"], "csrf_token": token}
    answer = web.post("/login", fields, headers={"X-Forwarded-Proto": "https"})
    assert answer.status == 303
    assert any("; Secure" in c for c in answer.cookies() if c.startswith("session="))


def test_the_websocket_acts_for_the_session_user(served: Served) -> None:
    web = Web(served.url)
    assert run_async(privileges_over_ws(served)) == {
        "userName": "Guest",
        "loggedIn": False,
        "hasPersistence": True,
        "privileges": ["READ_PROJECT"],
    }
    web.login("alice", PASSWORDS["alice"])
    alice = run_async(privileges_over_ws(served, web.cookie_header()))
    assert alice["userName"] == "alice" and alice["loggedIn"] is True
    assert {"WRITE_PROJECT", "RUN_EXPERIMENT"} <= set(alice["privileges"])
    assert "ADMIN" not in alice["privileges"]
    current = json.loads(web.get("/currentuser").text)
    assert current["login"] == "alice" and current["loggedIn"] is True
    assert current["userGroup"]["name"] == "user"
    assert json.loads(Web(served.url).get("/currentuser").text)["loggedIn"] is False


def test_a_cross_site_login_without_the_token_is_refused(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "geppetto_dev.accounts")
    web = Web(served.url)  # a fresh browser: the other site's form, no token, no cookie
    fields = {"username": "alice", "password": PASSWORDS["alice"]}
    answer = web.post("/login", fields, headers={"Origin": "http://evil.example"})
    assert answer.status == 400
    assert "another site" in answer.text
    assert (
        web.session_cookie() is None
        or run_async(privileges_over_ws(served, web.cookie_header()))["loggedIn"] is False
    )
    assert "without a valid CSRF token" in caplog.text
    # A token from another session is no better.
    other = csrf_of(Web(served.url).get("/login").text)
    answer = web.post("/login", {**fields, "csrf_token": other})
    assert answer.status == 400


def test_an_answer_to_another_sites_request_never_sets_the_cookie(served: Served) -> None:
    """Another site's link or form comes without the (Strict) cookie: a new session in the
    answer would replace the user's login."""
    web = Web(served.url)
    assert web.login("alice", PASSWORDS["alice"]).status == 303
    stranger = Web(served.url)  # the same browser, as it sends another site's requests
    linked = stranger.get("/login", headers={"Sec-Fetch-Site": "cross-site"})
    assert linked.status == 200 and 'http-equiv="refresh"' in linked.text  # loads itself again
    posted = stranger.post("/logout", {}, headers={"Origin": "http://evil.example"})
    assert posted.status == 400
    assert linked.cookies() == [] and posted.cookies() == []
    own = web.get("/login", headers={"Sec-Fetch-Site": "same-origin"})
    assert "You are logged in as <b>alice</b>" in own.text and own.cookies()


def test_the_session_id_rotates_at_login(served: Served) -> None:
    web = Web(served.url)
    web.get("/login")
    before = web.session_cookie()
    assert before  # the form's CSRF token lives in the session
    web.login("alice", PASSWORDS["alice"])
    first = web.session_cookie()
    assert first and first != before
    # A cookie planted before the login logs nobody in.
    assert run_async(privileges_over_ws(served, f"session={before}"))["loggedIn"] is False
    web.login("bob", PASSWORDS["bob"])  # logging in again, as someone else
    second = web.session_cookie()
    assert second and second not in (before, first)
    assert run_async(privileges_over_ws(served, f"session={first}"))["loggedIn"] is False
    assert run_async(privileges_over_ws(served, f"session={second}"))["userName"] == "bob"


def test_logout_ends_the_login_even_for_a_copied_cookie(served: Served) -> None:
    web = Web(served.url)
    web.login("alice", PASSWORDS["alice"])
    copied = web.cookie_header()
    assert run_async(privileges_over_ws(served, copied))["loggedIn"] is True
    assert web.logout().status == 303
    assert run_async(privileges_over_ws(served, copied))["loggedIn"] is False
    assert run_async(privileges_over_ws(served, web.cookie_header()))["loggedIn"] is False


def test_wrong_passwords_are_rate_limited_per_user(served: Served) -> None:
    web = Web(served.url)
    statuses = [web.login("alice", "wrong-password").status for _ in range(5)]
    assert statuses == [401] * 5
    refused = web.login("alice", PASSWORDS["alice"])  # the right one, too late
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many failed logins" in refused.text
    assert web.login("bob", PASSWORDS["bob"]).status == 303  # other users are not locked


def test_wrong_passwords_are_rate_limited_per_address(served: Served) -> None:
    web = Web(served.url)
    for number in range(20):  # a few guesses at each of many names, from one address
        assert web.login(f"user{number}", "wrong-password").status == 401
    assert web.login("bob", PASSWORDS["bob"]).status == 429


def test_behind_a_trusted_proxy_failures_count_per_forwarded_address(
    database_url: str,
    users: dict[str, Any],
    start_server: Any,
    tiny: Any,
) -> None:
    server = start_server(accounts=True, database_url=database_url, trusted_proxies=("127.0.0.1",))
    web = Web(server.url)
    token = csrf_of(web.get("/login").text)
    guessing = {"X-Forwarded-For": "192.0.2.1"}  # the client the proxy serves
    for number in range(20):
        fields = {"username": f"user{number}", "password": "wrong", "csrf_token": token}
        assert web.post("/login", fields, headers=guessing).status == 401
    fields = {"username": "bob", "password": PASSWORDS["bob"], "csrf_token": token}
    assert web.post("/login", fields, headers=guessing).status == 429
    other = {"X-Forwarded-For": "198.51.100.4, 192.0.2.2"}  # the last hop is the proxy's word
    assert web.post("/login", fields, headers=other).status == 303


def test_an_untrusted_forwarded_address_changes_nothing(served: Served) -> None:
    web = Web(served.url)
    token = csrf_of(web.get("/login").text)
    for number in range(20):  # each guess claims another client: all count for the peer
        fields = {"username": f"user{number}", "password": "wrong", "csrf_token": token}
        forged = {"X-Forwarded-For": f"192.0.2.{number + 1}"}
        assert web.post("/login", fields, headers=forged).status == 401
    assert web.login("bob", PASSWORDS["bob"]).status == 429


def test_origin_and_host_checks_still_apply_to_a_logged_in_browser(served: Served) -> None:
    web = Web(served.url)
    web.login("alice", PASSWORDS["alice"])
    with pytest.raises(Exception, match="403"):
        run_async(privileges_over_ws(served, web.cookie_header(), origin="http://evil.example"))
    other_host = web.get("/currentuser", headers={"Host": "evil.example"})
    assert other_host.status == 403


def test_no_password_or_hash_reaches_the_log(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    web = Web(served.url)
    web.login("alice", "a-wrong-guess-1")
    web.login("alice-typo", PASSWORDS["alice"])  # the password right, the name wrong
    web.login("alice", PASSWORDS["alice"])
    web.logout()
    hashes = [u.password_hash for u in served.users.values()]
    for secret in ["a-wrong-guess-1", *PASSWORDS.values(), *hashes]:
        assert secret not in caplog.text
    assert "alice logged in from 127.0.0.1" in caplog.text
    assert "failed login for 'alice' from" in caplog.text
    assert "failed login for an unknown user name" in caplog.text  # not "alice-typo"
    assert "alice-typo" not in caplog.text


def test_the_project_list_is_the_session_users(served: Served) -> None:
    listed = json.loads(Web(served.url).get("/projects").text)
    assert [p["id"] for p in listed] == [TINY_ID]
    assert json.loads(Web(served.url).get("/org.geppetto.frontend/geppettoprojects").text)
