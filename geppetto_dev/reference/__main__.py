"""`python -m geppetto_dev.reference NAME`: print a generated reference part as Markdown."""

from __future__ import annotations

import sys

from geppetto_dev.reference import GENERATED, render

__all__: list[str] = []

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in GENERATED:
        print(f"usage: python -m geppetto_dev.reference {{{','.join(GENERATED)}}}", file=sys.stderr)
        sys.exit(2)
    print(render(sys.argv[1]), end="")
