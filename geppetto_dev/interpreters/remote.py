"""Model files named by http(s) URL, fetched into a cache on disk, only when an application
asks for it.

Java Geppetto projects often name their model by URL (``https://raw.githubusercontent...``).
Nothing in the interpreters fetches on its own: a project naming a URL is refused unless the
caller passes a :class:`RemoteFetcher` (the server makes one only when its opt-in setting
allows remote models), so no client can make the server fetch a URL it chose.

The cache mirrors each URL's path (``<cache>/https/<host>/<path>``), so a fetched file's
relative includes land beside it: a missing one is fetched from the same place (see
`url_of`). Limits: `max_bytes` per file, `timeout` for the whole download, http(s) only
(redirects too), and by default no host that resolves to a loopback, private, link-local or
reserved address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import posixpath
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Collection
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import unquote, urlsplit

from geppetto_dev.interpreters.base import InterpreterError, ModelFile

__all__ = ["Fetcher", "RemoteFetcher"]

_SCHEMES = ("http", "https")
_CHUNK = 64 * 1024


class Fetcher(Protocol):
    """What the readers of Java projects and XMI models call for an http(s) URL."""

    def __call__(self, url: str) -> ModelFile:
        """The URL's content as a local file (its root is the folder of that host)."""
        ...

    def url_of(self, path: Path) -> str | None:
        """The URL a path inside the cache stands for (None for a path outside it)."""
        ...


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, check: _Check) -> None:
        self.check = check

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        self.check(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Check(Protocol):
    def __call__(self, url: str) -> None: ...


class RemoteFetcher:
    """Fetch model files by http(s) into `cache_dir`; call it with a URL for a ModelFile."""

    def __init__(
        self,
        cache_dir: Path | str,
        *,
        max_bytes: int = 64 * 1024 * 1024,
        timeout: float = 30.0,
        max_age: float | None = None,
        allowed_hosts: Collection[str] | None = None,
        allow_private: bool = False,
    ) -> None:
        self.cache_dir = Path(cache_dir).resolve()
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_age = max_age
        self.allowed_hosts = None if allowed_hosts is None else frozenset(allowed_hosts)
        self.allow_private = allow_private
        opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(),
            _Redirects(self.check),
            urllib.request.HTTPDefaultErrorHandler(),
            urllib.request.HTTPErrorProcessor(),
        ):
            opener.add_handler(handler)
        self._opener = opener

    # -- where a URL lives in the cache -------------------------------------------------------

    def _place(self, url: str) -> tuple[Path, Path]:
        """(host folder, file) of a URL; the host folder is the root its includes stay in."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        folder = host if parts.port is None else f"{host}_{parts.port}"
        path = posixpath.normpath("/" + unquote(parts.path or "/"))
        if "\\" in path or "\0" in path:
            raise InterpreterError(url, "has a path no file can have")
        name = path.lstrip("/")
        if not name or parts.path.endswith("/"):
            name = posixpath.join(name, "index")
        if parts.query:
            stem, dot, ext = posixpath.basename(name).rpartition(".")
            digest = hashlib.sha256(parts.query.encode()).hexdigest()[:12]
            new = f"{stem}.q{digest}.{ext}" if dot else f"{ext}.q{digest}"
            name = posixpath.join(posixpath.dirname(name), new)
        root = self.cache_dir / parts.scheme.lower() / folder
        return root, root / name

    def url_of(self, path: Path) -> str | None:
        try:
            scheme, host, *rest = Path(path).resolve().relative_to(self.cache_dir).parts
        except ValueError:
            return None
        if scheme not in _SCHEMES or not rest:
            return None
        name, _, port = host.rpartition("_")
        netloc = f"{name}:{port}" if name and port.isdigit() else host
        return f"{scheme}://{netloc}/" + "/".join(rest)

    # -- checks --------------------------------------------------------------------------------

    def check(self, url: str) -> None:
        """Refuse a URL this fetcher may not fetch (also applied to every redirect)."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
            raise InterpreterError(url, "only http(s) URLs are fetched")
        host = parts.hostname.lower()
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            raise InterpreterError(
                url,
                f"host {host} is not among the hosts models are fetched from",
                hint="add it to the allowed hosts",
            )
        if not self.allow_private:
            for address in _addresses(host):
                if not address.is_global:
                    raise InterpreterError(
                        url,
                        f"host {host} is a local or private address ({address})",
                        hint="models are fetched from public hosts only",
                    )

    # -- fetching ------------------------------------------------------------------------------

    def __call__(self, url: str) -> ModelFile:
        root, target = self._place(url)
        if target.is_file() and (
            self.max_age is None or time.time() - target.stat().st_mtime < self.max_age
        ):
            return ModelFile(target, root)
        self.check(url)
        data = self._download(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return ModelFile(target, root)

    def _download(self, url: str) -> bytes:
        deadline = time.monotonic() + self.timeout
        request = urllib.request.Request(url, headers={"User-Agent": "geppetto-dev"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                if length is not None and length.isdigit() and int(length) > self.max_bytes:
                    raise self._too_large(url)
                chunks: list[bytes] = []
                size = 0
                while chunk := response.read(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise self._too_large(url)
                    if time.monotonic() > deadline:
                        raise InterpreterError(url, f"took longer than {self.timeout:g} s")
                    chunks.append(chunk)
                return b"".join(chunks)
        except urllib.error.HTTPError as e:
            raise InterpreterError(url, f"HTTP {e.code} {e.reason}") from None
        except urllib.error.URLError as e:
            raise InterpreterError(url, f"could not be fetched ({e.reason})") from None
        except TimeoutError:
            raise InterpreterError(url, f"took longer than {self.timeout:g} s") from None
        except OSError as e:
            raise InterpreterError(url, f"could not be fetched ({e})") from None

    def _too_large(self, url: str) -> InterpreterError:
        return InterpreterError(url, f"is larger than {self.max_bytes} bytes")


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as e:
        raise InterpreterError(host, f"cannot be resolved ({e})") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
