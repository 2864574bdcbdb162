"""A browser's part of a login, over real HTTP: a cookie jar, forms with their CSRF token,
redirects seen rather than followed; and a WebSocket that sends the jar's cookies."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.server.conftest import Client

__all__ = ["Answer", "Web", "csrf_of", "ws_connect"]


def csrf_of(page: str) -> str:
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no csrf_token field in:\n{page}"
    return match.group(1)


@dataclass
class Answer:
    status: int
    headers: Any
    text: str

    def cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []


class _Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as it is


class Web:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _Keep()
        )

    def request(
        self,
        path: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, response.headers, response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read().decode())

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request(path, **kwargs)

    def post(self, path: str, fields: dict[str, str], **kwargs: Any) -> Answer:
        return self.request(path, fields, **kwargs)

    def login(self, name: str, password: str, next_path: str = "/") -> Answer:
        token = csrf_of(self.get("/login").text)
        fields = {"username": name, "password": password, "csrf_token": token, "next": next_path}
        return self.post("/login", fields)

    def logout(self) -> Answer:
        token = csrf_of(self.get("/logout").text)
        return self.post("/logout", {"csrf_token": token})

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def session_cookie(self) -> str | None:
        return next((c.value for c in self.jar if c.name == "session"), None)


async def ws_connect(url: str, cookie: str = "", origin: str | None = None) -> Client:
    headers = {"Cookie": cookie} if cookie else {}
    if origin:
        headers["Origin"] = origin
    conn = await websocket_connect(HTTPRequest(url, headers=headers))
    return Client(conn)
