"""Logging for the programs this package runs: set up where a program starts, never in a library.

`Server(app).run()` is also called from user code and tests, which configure logging their own way;
so `geppetto-dev serve` and the server children call `configure()` at their start instead.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["configure"]


def configure() -> None:
    """INFO and above to stderr, unless the process already has handlers; no access log."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
        )
    # One line per request is noise in a development server; warnings and errors still show.
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
