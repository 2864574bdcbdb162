"""Tornado routes of the protocol inspector: the page, its two assets, the handled types and the
protocol reference.

The page is plain HTML/JS/CSS shipped in the package: no build step, nothing loaded from outside
(the Content-Security-Policy enforces it). The context path is templated into the page so it
connects to the WebSocket with the same URL rules as the real frontend.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tornado.web

from geppetto_dev.config import INSPECTOR_PATH, Settings
from geppetto_dev.protocol.replies import HandlerLookup
from geppetto_dev.server.inspector.protocol_page import PROTOCOL_PAGE, ProtocolPage

__all__ = ["INSPECTOR_PATH", "inspector_routes"]

ASSETS_DIR = Path(__file__).parent
CONFIG_MARKER = "__INSPECTOR_CONFIG__"
# 'self' covers the same-origin WebSocket (CSP Level 3), so the page can reach nothing else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no '<' can close it early."""
    return json.dumps(value).replace("<", "\\u003c")


class _NoCache(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        # A development tool: always serve what the installed package holds now.
        self.set_header("Cache-Control", "no-cache")


class InspectorPage(_NoCache):
    def initialize(self, settings: Settings) -> None:
        self.geppetto = settings

    def get(self) -> None:
        config = {
            "contextPath": self.geppetto.context_path,
            "geppettoVersion": self.geppetto.geppetto_version,
            "messageTypesUrl": f"{INSPECTOR_PATH}/message-types",
        }
        page = (ASSETS_DIR / "inspector.html").read_text(encoding="utf-8")
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.write(page.replace(CONFIG_MARKER, _script_json(config)))

    head = get  # Tornado leaves the body out of a HEAD response.


class HandledTypes(_NoCache):
    def initialize(self, registry: HandlerLookup) -> None:
        self.registry = registry

    def get(self) -> None:
        self.write({"message_types": sorted(self.registry.message_types())})

    head = get


class InspectorAsset(tornado.web.StaticFileHandler):
    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-cache")


def inspector_routes(
    settings: Settings, registry: HandlerLookup
) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]]:
    """The rules to put before any catch-all route of the application."""
    return [
        (INSPECTOR_PATH, InspectorPage, {"settings": settings}),
        (
            INSPECTOR_PATH + "/",
            tornado.web.RedirectHandler,
            {"url": INSPECTOR_PATH, "permanent": False},
        ),
        (INSPECTOR_PATH + "/message-types", HandledTypes, {"registry": registry}),
        (
            INSPECTOR_PATH + PROTOCOL_PAGE,
            ProtocolPage,
            {
                "registry": registry,
                "inspector_path": INSPECTOR_PATH,
                "policy": CONTENT_SECURITY_POLICY,
            },
        ),
        # Only the two assets: the folder also holds this module.
        (
            INSPECTOR_PATH + r"/static/(inspector\.(?:js|css))",
            InspectorAsset,
            {"path": str(ASSETS_DIR)},
        ),
    ]
