"""The answer to a Flask view that raised: a 500 with an error id, the traceback by the policy.

Flask logs the exception with its traceback; the client gets an id to find it in that log, and
the traceback itself only when traceback_policy.py allows it (as a failing WebSocket handler does).
A project that registers its own 500 handler keeps it.
"""

from __future__ import annotations

import logging
import traceback
import uuid

from flask import Flask, Response, request
from werkzeug.exceptions import InternalServerError

from geppetto_dev.server.traceback_policy import TracebackPolicy

__all__ = ["attach_error_page"]

log = logging.getLogger("geppetto_dev.server")


def attach_error_page(app: Flask, tracebacks: TracebackPolicy) -> None:
    """Answer the app's unhandled exceptions with `tracebacks` deciding what the client sees."""
    if app.error_handler_spec.get(None, {}).get(500):
        return

    def internal_error(error: InternalServerError) -> Response | InternalServerError:
        exception = error.original_exception
        if exception is None:  # abort(500): the view chose its answer
            return error
        error_id = uuid.uuid4().hex[:12]
        log.error(
            "error id %s: %s %s failed (traceback above)", error_id, request.method, request.path
        )
        text = (
            f"500 Internal Server Error: {request.method} {request.path} failed "
            f"(error id {error_id} in the server log)\n"
        )
        if tracebacks.shows(request.remote_addr, request.host, request.headers):
            text += "\n" + "".join(traceback.format_exception(exception))
        return Response(text, 500, {"Cache-Control": "no-store"}, mimetype="text/plain")

    app.register_error_handler(InternalServerError, internal_error)
