"""The frontend's webapp folder as static files, never a byte from outside it."""

from __future__ import annotations

import os
from pathlib import Path

from tornado.web import HTTPError, StaticFileHandler

from geppetto_dev.server.embedded import frontend_to_serve
from geppetto_dev.server.pagescript import inject_script, is_page, page_script

__all__ = ["WebappFileHandler"]


class WebappFileHandler(StaticFileHandler):
    """StaticFileHandler plus a check on the resolved path, whatever the Tornado version.

    Until the webapp is built, its files come from the embedded frontend, as the page does.
    Under `serve --reload`, `.html` pages get the page script (live reload, error overlay) as
    the pages of the Flask app do.
    """

    def prepare(self) -> None:
        # A handler lives for one request, and initialize() set root to the project's webapp.
        self.root = str(frontend_to_serve(Path(self.root)))

    async def get(self, path: str, include_body: bool = True) -> None:
        tag = page_script()
        if tag is None or not path.lower().endswith((".html", ".htm")):
            await super().get(path, include_body)
            return
        # The same checks as the static path takes, then the page whole (pages are small).
        self.path = self.parse_url_path(path)
        absolute = self.validate_absolute_path(
            self.root, self.get_absolute_path(self.root, self.path)
        )
        if absolute is None:
            return
        self.absolute_path = absolute
        with open(absolute, "rb") as page:
            body = page.read()
        if is_page(body):
            body = inject_script(body, tag)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if include_body:
            self.write(body)
        else:
            self.set_header("Content-Length", str(len(body)))

    def parse_url_path(self, url_path: str) -> str:
        # A NUL (%00) makes every file system call raise ValueError: a 500 and a logged traceback.
        if "\x00" in url_path:
            raise HTTPError(400, "NUL byte in path")
        return super().parse_url_path(url_path)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        checked = super().validate_absolute_path(root, absolute_path)
        if checked is None:
            return None
        real_root = os.path.realpath(root)
        if os.path.commonpath([real_root, os.path.realpath(checked)]) != real_root:
            raise HTTPError(403, "outside the frontend folder")
        return checked

    def set_extra_headers(self, path: str) -> None:
        # Bundles change on every build; let the browser revalidate instead of caching stale code.
        self.set_header("Cache-Control", "no-cache")

    def compute_etag(self) -> str | None:
        # Tornado's ETag is a content hash cached per path for the life of the process, so a
        # bundle rebuilt by build-watch kept answering 304 with the old code. The file's
        # mtime and size change with every build and cost one stat.
        if self.absolute_path is None:
            return None
        stat = os.stat(self.absolute_path)
        return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
