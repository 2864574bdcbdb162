"""Who sees exception details: one rule for every path that can show one.

A failing WebSocket handler, a failing Flask view, a failed experiment run, and the error page
and overlay of `serve --reload` all ask `TracebackPolicy.shows`. Details (the traceback, the
exception's text) go to a client only when all of these hold:

- development mode: `--dev`, or `--reload` (showing the load error is what its page is for);
- the server is bound to loopback. Bound to 0.0.0.0 or any other address, nobody sees them,
  loopback clients included: behind a reverse proxy on this machine every client is loopback;
- the client is on this machine: it connected from loopback and asked for a loopback host name
  (a tunnel or proxy here uses its own public name), and its request was not forwarded by a
  peer the server cannot vouch for (Forwarded, X-Forwarded-For or X-Real-IP from a peer that is
  not in `trusted-proxies` means someone else sent it). Through a trusted proxy, the client is
  the address the proxy forwards, and that address must be loopback.

Everyone else gets an error id to find the details in the server log.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Protocol

from geppetto_dev.config import Settings
from geppetto_dev.server.hosts import host_name, is_loopback_name

__all__ = ["FORWARDING_HEADERS", "Headers", "TracebackPolicy", "parse_networks"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers a proxy adds to say whose request it passes on.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


class Headers(Protocol):
    """Request headers, looked up without regard to case (Tornado's and Werkzeug's both are)."""

    def get(self, key: str, /) -> str | None: ...


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`trusted-proxies` entries: addresses ("127.0.0.1") or networks ("10.0.0.0/8")."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(text: str | None) -> Address | None:
    """An address as peers and X-Forwarded-For give it: maybe with a port, maybe bracketed."""
    text = (text or "").strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


class TracebackPolicy:
    """Whether a client sees exception details, and which address a request comes from."""

    def __init__(self, *, dev: bool, bound_host: str, trusted_proxies: Iterable[str] = ()) -> None:
        bound = bound_host.strip().strip("[]").lower()
        # "" is every interface, as 0.0.0.0 is: not loopback.
        self.enabled = dev and bool(bound) and is_loopback_name(bound)
        self.trusted = parse_networks(trusted_proxies)

    @classmethod
    def from_settings(cls, settings: Settings) -> TracebackPolicy:
        return cls(
            dev=settings.dev or settings.reload,
            bound_host=settings.host,
            trusted_proxies=settings.trusted_proxies,
        )

    def shows(self, peer: str | None, host: str | None, headers: Headers) -> bool:
        """Whether this request's client may see tracebacks (see the module's docstring)."""
        if not self.enabled:
            return False
        address = _address(peer)
        if address is None:
            return False
        if self._is_trusted(address):
            client = self._forwarded_client(headers)
            return client is not None and is_loopback_name(str(client))
        if any(headers.get(name) for name in FORWARDING_HEADERS):
            return False
        name = host_name(host or "")
        return name is not None and is_loopback_name(name) and is_loopback_name(str(address))

    def client_address(self, peer: str | None, headers: Headers) -> str:
        """The client's address for the log: forwarded only by a trusted proxy."""
        address = _address(peer)
        if address is not None and self._is_trusted(address):
            client = self._forwarded_client(headers)
            if client is not None:
                return str(client)
        return peer or "?"

    def _is_trusted(self, address: Address) -> bool:
        return any(address in network for network in self.trusted)

    def _forwarded_client(self, headers: Headers) -> Address | None:
        """The first address, from the right, that no trusted proxy added; None if unknown."""
        hops = [hop for hop in (headers.get("X-Forwarded-For") or "").split(",") if hop.strip()]
        if not hops:
            real = headers.get("X-Real-IP")
            hops = [real] if real else []
        addresses = [_address(hop) for hop in hops]
        for address in reversed(addresses):
            if address is None:
                return None  # garbage in the chain: nobody can say who the client is
            if not self._is_trusted(address):
                return address
        return addresses[0] if addresses else None
