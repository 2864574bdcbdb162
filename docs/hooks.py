"""MkDocs hook: fills the generated parts of the reference pages from the code they describe.

A page marks where a part goes with a line `<!-- generated: NAME -->` (NAME: cli, settings,
protocol, conformance). The parts are rendered by `geppetto_dev.reference` from the installed
package, so the build needs it importable (`pip install -e '.[docs]'`) and nothing from the network.
A marker that names no part, or a reference page that lost its marker, stops the build.
"""

from __future__ import annotations

import re
from typing import Any

from mkdocs.exceptions import PluginError

from geppetto_dev.reference import GENERATED, render

# A marker is a line of its own, so prose can quote one in a code span.
MARKER = re.compile(r"^<!-- generated: ([\w-]+) -->[ \t]*$", re.MULTILINE)
# Where each part must appear: a page rewritten without its marker would silently lose it.
EXPECTED = {
    "reference/cli.md": ("cli",),
    "reference/settings.md": ("settings",),
    "reference/protocol.md": ("protocol", "conformance"),
}


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    path = page.file.src_uri
    names = MARKER.findall(markdown)
    for name in names:
        if name not in GENERATED:
            raise PluginError(f"{path}: no generated part {name!r}; known: {', '.join(GENERATED)}")
    for wanted in EXPECTED.get(path, ()):
        if wanted not in names:
            raise PluginError(f"{path}: the marker <!-- generated: {wanted} --> is missing")
    return MARKER.sub(lambda m: render(m.group(1)), markdown)
