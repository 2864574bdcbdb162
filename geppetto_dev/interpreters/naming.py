"""Ids for what a file holds: the rule the Java interpreters applied to names (parseId).

A Geppetto id is one segment of an instance path (``net.pop[0].soma_0.v``) and a key the
clients split on ``.`` and the 0.3.8 console evaluates as JavaScript: the characters the Java
NeuroML interpreter replaced, plus ``-``, ``[`` and ``]``, become ``_``, and an id starting with a
digit gets an ``id`` prefix.
"""

from __future__ import annotations

import re
from pathlib import PurePath

__all__ = ["id_from_filename", "safe_id"]

_UNSAFE = re.compile(r"[&/\\#,+()$~%.'\":*?<>{}\[\]\s-]")


def safe_id(text: str) -> str:
    """``"Soma 0.5"`` -> ``"Soma_0_5"``, ``"3d"`` -> ``"id3d"``, ``""`` -> ``"id"``."""
    out = _UNSAFE.sub("_", text)
    return f"id{out}" if not out or out[0].isdigit() else out


def id_from_filename(name: str | PurePath) -> str:
    """The id of what a file holds: its name without the format's ending
    (``mp_ma_40984_gc2.CNG.swc`` -> ``mp_ma_40984_gc2_CNG``)."""
    path = PurePath(name)
    return safe_id(path.name[: -len(path.suffix)] if path.suffix else path.name)
