"""Where `upload_model` and `upload_results` put files: an upload store.

The Java server uploaded to the user's Dropbox, linked with `link_dropbox`. An application
that wants these requests answered gives its `GeppettoApp` an `UploadStore`; `FolderUploads`
keeps the files in a folder of the server. Without one, the requests get an `info_message`
saying so, and the default privileges leave out DROPBOX_INTEGRATION, so the 0.3.8 client does
not offer them.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Protocol

__all__ = ["FolderUploads", "UploadStore", "safe_name"]


class UploadStore(Protocol):
    """What answers link_dropbox, unlink_dropbox, upload_model and upload_results."""

    def link(self, key: str) -> None:
        """Link the account the client's key names (Dropbox's authorization code in Java)."""

    def unlink(self, key: str) -> None: ...

    def save(self, name: str, content: bytes) -> str:
        """Store a file; where it went, for the log."""


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A file name made of safe characters only (no folders, no leading dots)."""
    cleaned = _UNSAFE.sub("_", name).lstrip("._")
    return cleaned[:200] or "upload"


class FolderUploads:
    """An upload store in a folder: each upload a file, never overwriting another."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.linked: set[str] = set()
        self._lock = threading.Lock()

    def link(self, key: str) -> None:
        with self._lock:
            self.linked.add(key)

    def unlink(self, key: str) -> None:
        with self._lock:
            self.linked.discard(key)

    def save(self, name: str, content: bytes) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem, dot, suffix = safe_name(name).partition(".")
        with self._lock:
            for n in range(10_000):
                candidate = self.folder / (f"{stem}{f'-{n}' if n else ''}{dot}{suffix}")
                try:
                    with candidate.open("xb") as out:
                        out.write(content)
                except FileExistsError:
                    continue
                return str(candidate)
        raise OSError(f"no free file name for {name!r} in {self.folder}")
