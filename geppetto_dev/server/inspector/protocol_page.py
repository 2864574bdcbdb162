"""The protocol reference the inspector links to, served by the server itself.

The same table as the documentation's protocol reference, built from this server's own handler
registry: it lists a project's handlers too (each described by its docstring), matches the code
that answers, and needs no network, like the rest of the inspector.
"""

from __future__ import annotations

import html
import re

import tornado.web

from geppetto_dev.protocol.replies import HandledType, HandlerLookup, handled_types

__all__ = ["PROTOCOL_PAGE", "ProtocolPage", "render_protocol_page"]

# Relative to the inspector's path.
PROTOCOL_PAGE = "/protocol"
# Where the same table is in the documentation (docs/reference/protocol.md).
DOCS_PAGE = "reference/protocol"
_CODE = re.compile(r"`([^`]+)`")


def _inline(markdown: str) -> str:
    """The replies' inline Markdown (code spans only) as HTML."""
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(markdown, quote=False))


def _row(row: HandledType) -> str:
    return (
        f'<tr id="{html.escape(row.type)}"><td><code>{html.escape(row.type)}</code></td>'
        f"<td>{_inline(row.reply)}</td><td><code>{html.escape(row.handler)}</code></td></tr>"
    )


def render_protocol_page(registry: HandlerLookup, inspector_path: str) -> str:
    rows = handled_types(registry)
    body = "\n".join(_row(row) for row in rows)
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Geppetto protocol: the requests this server answers</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{inspector_path}/static/inspector.css">
</head>
<body class="reference">
  <header class="topbar">
    <div class="brand">
      <span class="logo" aria-hidden="true">G</span>
      <span class="title">Geppetto protocol reference</span>
    </div>
    <nav class="links"><a href="{inspector_path}">Protocol inspector</a></nav>
  </header>
  <main class="reference-page">
    <h1>The requests this server answers</h1>
    <p>{len(rows)} message types, read from this server's handler registry: the built-in
    project, model and experiment conversation, and the project's own handlers. Each request
    is a JSON message with a <code>type</code>, a <code>data</code> string and a
    <code>requestID</code>; every answer carries the request's <code>requestID</code>. On
    connect the server sends <code>client_id</code>, then <code>user_privileges</code>; bad
    input gets a <code>generic_error</code> and the connection stays up. The documentation
    has the same table with the wire rules, under <code>{DOCS_PAGE}</code>.</p>
    <table>
      <thead><tr><th>Request type</th><th>Answer</th><th>Handler</th></tr></thead>
      <tbody>
{body}
      </tbody>
    </table>
  </main>
</body>
</html>
"""


class ProtocolPage(tornado.web.RequestHandler):
    def initialize(self, registry: HandlerLookup, inspector_path: str, policy: str) -> None:
        self.registry = registry
        self.inspector_path = inspector_path
        self.policy = policy

    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Content-Security-Policy", self.policy)
        self.set_header("Cache-Control", "no-cache")
        self.write(render_protocol_page(self.registry, self.inspector_path))

    head = get
