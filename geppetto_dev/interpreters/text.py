"""The text of a model file: UTF-8 (with or without a byte-order mark), else Latin-1.

SWC and project files are ASCII where it matters (numbers, keys); their comments and names are
sometimes Latin-1 from older tools, which is no reason to refuse them.
"""

from __future__ import annotations

__all__ = ["decode_text"]


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
