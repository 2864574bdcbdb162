"""Which Host and Origin headers the server answers: its defence against DNS rebinding.

A page on `evil.example` whose name the attacker re-points at 127.0.0.1 talks to this server
as a same-origin page: the browser sends `Host: evil.example` and `Origin: http://evil.example`.
Comparing Origin with Host cannot tell that apart from the real page; the host name can. So, as
Vite, webpack-dev-server and Jupyter do, only names known to mean this machine are answered:
loopback names and addresses, the address the server is bound to (with a wildcard bind such as
0.0.0.0, any IP address: an address cannot be rebound), and the `allowed-hosts` setting.

`is_loopback_name` is the one loopback rule of the package: the host names answered, the bound
address that allows tracebacks and the clients that may see them (traceback_policy.py) all use it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from tornado.web import RequestHandler

__all__ = ["HostPolicy", "HostRefused", "host_name", "is_loopback_name"]

WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})


def host_name(host: str) -> str | None:
    """The name in a Host header or an origin's netloc: no port, no brackets, lower case."""
    try:
        name = urlsplit("//" + host).hostname
    except ValueError:  # "[::1" and other broken brackets
        return None
    return name.rstrip(".") if name else None


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_loopback_name(name: str) -> bool:
    """localhost, a name under .localhost (RFC 6761: always this machine), 127.x, ::1, or
    ::ffff:127.x (an IPv4 loopback client as a dual-stack socket reports it)."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = _ip(name)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address is not None and address.is_loopback


class HostPolicy:
    """The host names this server answers to.

    `allowed` entries are names (`dev.example.org`), `.example.org` for that domain and every
    name under it, or `*` for any name (which turns the check off).
    """

    def __init__(self, bound_host: str, allowed: Iterable[str] = ()) -> None:
        self.any = False
        self.names: set[str] = set()
        self.domains: list[str] = []
        self.any_address = bound_host in WILDCARD_ADDRESSES
        for entry in [bound_host, *allowed]:
            entry = entry.strip().lower()
            if entry == "*":
                self.any = True
            elif entry.startswith("."):
                self.domains.append(entry.rstrip("."))
            elif entry:
                name = host_name(entry)
                if name:
                    self.names.add(name)

    def allows(self, host: str) -> bool:
        """Whether a request with this Host header (port included, or not) is answered."""
        if self.any:
            return True
        name = host_name(host)
        if not name:
            return False
        if is_loopback_name(name) or name in self.names:
            return True
        if self.any_address and _ip(name) is not None:
            return True
        return any(name == domain[1:] or name.endswith(domain) for domain in self.domains)

    def allows_origin(self, origin: str, host: str, allowed_origins: Iterable[str] = ()) -> bool:
        """A page of this server (same host and port, an allowed host), or one listed."""
        listed = tuple(allowed_origins)
        if origin in listed or "*" in listed:
            return True
        try:
            netloc = urlsplit(origin).netloc.lower()
        except ValueError:
            return False
        return bool(host) and netloc == host.lower() and self.allows(netloc)


class HostRefused(RequestHandler):
    """The answer to a request for a host name this server does not know: 403, on any route."""

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            "403 Forbidden: this server does not answer to that host name.\n"
            "To reach it by that name, add the name to allowed-hosts in [tool.geppetto-dev] "
            "(or GEPPETTO_DEV_ALLOWED_HOSTS).\n"
        )
