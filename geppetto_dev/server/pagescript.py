"""A script added to every HTML page this process serves (the live reload and error overlay of
`serve --reload`): the pages of the Flask app, the Geppetto page of either frontend, and the
static `.html` files of the frontend's webapp folder.

Process-wide, like the Flask signal it rides on: a server child of the reload supervisor serves
one app for its whole life, and a plain `serve` never installs a script.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, request_finished

__all__ = ["inject_script", "install_page_script", "is_page", "page_script"]

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
# Flask labels every str it returns text/html; only a page (not "ok" or a fragment) gets a script.
_PAGE = re.compile(rb"<(?:!doctype\s+html|html|body)[\s>]", re.IGNORECASE)

_tag: bytes | None = None


def is_page(body: bytes) -> bool:
    return _PAGE.search(body, 0, 4096) is not None


def inject_script(page: bytes, tag: str | bytes) -> bytes:
    """The page with `tag` before its last </body>, or at its end."""
    script = tag.encode() if isinstance(tag, str) else tag
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + script
    at = ends[-1].start()
    return page[:at] + script + page[at:]


def page_script() -> bytes | None:
    """The installed script element, for the static file handler; None when there is none."""
    return _tag


def _inject(sender: Flask, response: Response, **_extra: Any) -> None:
    if (
        _tag is None
        or response.mimetype != "text/html"
        or response.is_streamed
        or response.direct_passthrough
        or response.headers.get("Content-Encoding")
    ):
        return
    body = response.get_data()
    if is_page(body):
        response.set_data(inject_script(body, _tag))


def install_page_script(tag: str) -> None:
    """Add `tag` to every HTML page served from now on by this process.

    Uses Flask's request_finished signal rather than wrapping one app, so it also covers an app
    made by a factory; only plain (not streamed, not compressed) HTML bodies are touched.
    """
    global _tag
    _tag = tag.encode()
    request_finished.connect(_inject, weak=False)
