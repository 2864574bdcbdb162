"""Redirects of the Flask app point at a path, not at a URL made from the request's Host.

Werkzeug builds absolute `Location` URLs from the Host header for its own redirects (the 308
that merges `/api//people` into `/api/people`, a missing trailing slash). With a forged Host,
that is a redirect to another site. A Location on the request's own host is sent as the bare
path, which the browser resolves against the URL it asked for: same place, no Host involved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

__all__ = ["relative_location", "relative_redirects"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def relative_location(location: str, host: str) -> str:
    """`location` as a path when it points at `host` itself; anything else unchanged."""
    try:
        parts = urlsplit(location)
    except ValueError:
        return location
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        return location
    path = parts.path or "/"
    if path.startswith("//"):  # would read as another host ("//evil.example/")
        return location
    return (
        path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def relative_redirects(app: WSGIApp) -> WSGIApp:
    """Wrap a WSGI app so its redirects to its own host carry a path `Location`."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST", "")

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("3") and host:
                headers = [
                    (key, relative_location(value, host) if key.lower() == "location" else value)
                    for key, value in headers
                ]
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return wrapped
