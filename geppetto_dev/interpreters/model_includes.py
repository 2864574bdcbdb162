"""The files a model file is made of: the file and the local files it includes, in its folder.

NeuroML `<include href>` and LEMS `<Include file>` are followed relative to the including file,
through `ModelFile.relative`, so never out of the folder the model was opened under; remote
files and the NeuroML 2 core type files (which the readers skip too) are not files of the model.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.neuroml.parse import is_core_type_file
from geppetto_dev.interpreters.xmlsafe import local_name, read_xml

__all__ = ["MAX_INCLUDED", "includes_of", "is_local"]

# Files an include walk reads at most (a NeuroML network includes its cells, channels, ...).
MAX_INCLUDED = 1000
_XML_MODELS = (".nml", ".xml")


def is_local(url: str) -> bool:
    """Whether a URL names a file here: no host, no scheme (a Windows drive letter aside)."""
    parts = urlsplit(url.strip())
    return bool(url.strip()) and not parts.netloc and len(parts.scheme) <= 1


def includes_of(source: ModelFile) -> list[ModelFile]:
    """A NeuroML or LEMS file and every local file it includes (`<include href>`, LEMS
    `<Include file>`), each once, the file first; includes that lead out of its root folder,
    name a remote file or a NeuroML core type file, or cannot be read, are left out."""
    found = [source]
    seen = {source.path}
    i = 0
    while i < len(found):
        current = found[i]
        i += 1
        if not current.path.name.lower().endswith(_XML_MODELS):
            continue
        try:
            root, _ = read_xml(current)
        except InterpreterError:
            continue
        for el in root.iter():
            if local_name(str(el.tag)) not in ("include", "Include"):
                continue
            href = el.get("href") or el.get("file") or el.get("url") or ""
            if not is_local(href) or is_core_type_file(href):
                continue
            try:
                target = current.relative(href)
            except InterpreterError:
                continue
            if target.path not in seen and len(found) < MAX_INCLUDED:
                seen.add(target.path)
                found.append(target)
    return found
