"""The session cookie in a real browser: sent by the site that set it, never with a request
another site starts (a link, a form), and never replaced by the answer to one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Request

from tests.support import ServeProcess, add_account

APP = "geppetto_dev.example:app"
LOGGED_IN = "You are logged in as <b>alice</b>"


def test_the_cookie_is_not_sent_cross_site(
    browser: Browser, serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    add_account(tmp_path, "alice", "alice-secret-1")
    served = serve(tmp_path, "--accounts", "--app", APP, "--no-inspector")
    site = f"http://127.0.0.1:{served.port}"
    other_site = f"http://localhost:{served.port}"  # another host name: another site
    context = browser.new_context()
    try:
        page = context.new_page()
        sent: list[tuple[str, str, bool]] = []  # (url, Sec-Fetch-Site, with the cookie)

        def record(request: Request) -> None:
            if request.url.startswith(site + "/log"):
                headers = request.all_headers()
                with_cookie = "session=" in headers.get("cookie", "")
                sent.append((request.url, headers.get("sec-fetch-site", ""), with_cookie))

        page.on("request", record)
        page.goto(site + "/login")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "alice-secret-1")
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.goto(site + "/login")
        assert LOGGED_IN in page.content()  # the site's own pages get the cookie

        # A link on a page of another site: that navigation carries no cookie; the page
        # loads itself again as the site's own request, which does, and alice stays in.
        page.goto(other_site + "/logout")
        sent.clear()
        page.evaluate(
            """url => { const a = document.createElement('a'); a.href = url;
            document.body.append(a); a.click(); }""",
            site + "/login",
        )
        page.wait_for_function("() => document.body.innerHTML.includes('logged in as')")
        assert LOGGED_IN in page.content()
        assert sent[0] == (site + "/login", "cross-site", False), sent
        assert sent[-1][1:] == ("same-origin", True), sent

        # A form of another site posting to the logout: no cookie, no token: refused, and
        # the answer leaves the cookie as it was.
        page.goto(other_site + "/logout")
        sent.clear()
        with page.expect_navigation(url=site + "/logout") as navigation:
            page.evaluate(
                """url => { const f = document.createElement('form'); f.method = 'post';
                f.action = url; document.body.append(f); f.submit(); }""",
                site + "/logout",
            )
        response = navigation.value
        assert response is not None and response.status == 400
        assert "set-cookie" not in response.headers
        assert sent == [(site + "/logout", "cross-site", False)]
        page.goto(site + "/login")
        assert LOGGED_IN in page.content()  # still logged in
    finally:
        context.close()
