"""ImportTypes resolved as the Java server resolved them: the interpreter named by the type's
``modelInterpreterId`` reads the file at its ``url``, and the type it returns replaces the
ImportType in place (same id, same index: the client swaps types by position).

URLs are relative to the file that names them (a project JSON, an XMI). A path starting with
``/`` is taken from the folder of the file naming it when that file is there (Java's downloaded
projects: ``/GeppettoModel.xmi``), else from the root models are read from (Java's server-root
and classpath paths, ``/projects/HH/model.xmi``); ``file:`` URLs must point inside it.
http(s) URLs are fetched only through a :class:`~geppetto_dev.interpreters.remote.Fetcher` the
caller passes; relative URLs in a fetched file are fetched relative to its URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

from geppetto_dev.interpreters.base import Interpreter, InterpreterError, ModelFile
from geppetto_dev.interpreters.remote import Fetcher
from geppetto_dev.model import GeppettoLibrary, GeppettoModel, ImportType, Type
from geppetto_dev.model.paths import library_of

__all__ = ["InterpreterLookup", "Origin", "open_href", "resolve_import_type"]

# How many missing includes of a fetched file are fetched before giving up.
MAX_REMOTE_INCLUDES = 64
_REMOTE = ("http", "https")


class InterpreterLookup(Protocol):
    """What resolving needs of a registry: an interpreter by id, or by file name."""

    def get(self, interpreter_id: str) -> Interpreter: ...

    def for_file(self, name: str) -> Interpreter: ...


@dataclass(frozen=True)
class Origin:
    """A model file as read: the local file, and the URL it was fetched from (if remote)."""

    file: ModelFile
    url: str | None = None

    @classmethod
    def local(cls, path: Path | str, root: Path | str | None = None) -> Origin:
        return cls(ModelFile.open(path, root))


def _fetch(url: str, fetch: Fetcher | None, named_by: Origin) -> Origin:
    if fetch is None:
        raise InterpreterError(
            named_by.url or named_by.file.path,
            f"names a remote file ({url}), and remote files are not fetched here",
            hint="save it beside this file and name it by a relative path, or let the "
            "application fetch remote models (RemoteFetcher)",
        )
    return Origin(fetch(url), url)


def open_href(base: Origin, href: str, fetch: Fetcher | None = None) -> Origin:
    """The file `href` names, read from `base` (a project JSON, an XMI)."""
    href = href.strip()
    where = base.url or base.file.path
    if not href:
        raise InterpreterError(where, "names a file by an empty URL")
    parts = urlsplit(href)
    scheme = parts.scheme.lower()
    if scheme in _REMOTE:
        return _fetch(href, fetch, base)
    if base.url is not None:
        if scheme:
            raise InterpreterError(base.url, f"a fetched file may not name {href}")
        return _fetch(urljoin(base.url, href), fetch, base)
    root = base.file.root
    if scheme == "file":
        path = Path(url2pathname(parts.path))
        if not path.is_relative_to(root):
            path = root / parts.path.lstrip("/")
        return Origin(ModelFile(path.resolve(), root).checked())
    if len(scheme) > 1:
        raise InterpreterError(where, f"names {href}: only files and http(s) URLs are read")
    if href.startswith("/"):
        path = Path(href)
        if not path.resolve().is_relative_to(root):
            path = root / href.lstrip("/")
            # Java's downloaded projects name their files from the project's folder
            # ("/GeppettoModel.xmi"): the file beside the one naming it, if there is one.
            beside = (base.file.path.parent / href.lstrip("/")).resolve()
            if beside.is_relative_to(root) and beside.is_file():
                path = beside
        return Origin(ModelFile(path.resolve(), root).checked())
    return Origin(base.file.relative(href))


def _interpreter(import_type: ImportType, interpreters: InterpreterLookup) -> Interpreter:
    if import_type.model_interpreter_id:
        return interpreters.get(import_type.model_interpreter_id)
    return interpreters.for_file(urlsplit(import_type.url or "").path)


def _missing_url(error: BaseException, fetch: Fetcher | None) -> str | None:
    """The URL of a file missing from the fetch cache, if that is what `error` comes from
    (readers often re-raise "no such file" as their own error about the include)."""
    seen: BaseException | None = error
    while fetch is not None and seen is not None:
        if isinstance(seen, InterpreterError) and seen.reason == "no such file":
            return fetch.url_of(Path(seen.path))
        seen = seen.__cause__ or seen.__context__
    return None


def _import(
    interpreter: Interpreter,
    origin: Origin,
    import_type: ImportType,
    library: GeppettoLibrary,
    fetch: Fetcher | None,
) -> tuple[Type, list[Type]]:
    """The type the interpreter returns and the other types it made, made in a scratch library
    so that a retry (a fetched file's include fetched meanwhile) starts clean."""
    for _ in range(MAX_REMOTE_INCLUDES + 1):
        scratch = GeppettoLibrary(library.id, library.name)
        try:
            main = interpreter.import_type(origin.file, import_type.id, scratch)
        except InterpreterError as e:
            missing = _missing_url(e, fetch) if origin.url is not None else None
            if fetch is None or missing is None:
                raise
            fetch(missing)
            continue
        if main.id != import_type.id:
            raise InterpreterError(
                origin.url or origin.file.path,
                f"{interpreter.id} returned type {main.id!r} for ImportType {import_type.id!r}",
                hint="an interpreter returns a type with the id it is asked for",
            )
        return main, [t for t in scratch.types if t is not main]
    raise InterpreterError(
        origin.url or origin.file.path, f"includes more than {MAX_REMOTE_INCLUDES} remote files"
    )


def resolve_import_type(
    model: GeppettoModel,
    import_type: ImportType,
    base: Origin,
    interpreters: InterpreterLookup,
    fetch: Fetcher | None = None,
) -> Type:
    """Read the file an ImportType names and put the type it stands for in its place; other
    types the interpreter made are appended to the same library."""
    if not import_type.url:
        raise InterpreterError(
            base.url or base.file.path, f"ImportType {import_type.id!r} names no url"
        )
    interpreter = _interpreter(import_type, interpreters)
    origin = open_href(base, import_type.url, fetch)
    _, library, _ = library_of(model, import_type)
    main, extras = _import(interpreter, origin, import_type, library, fetch)
    model.replace_type(import_type, main)
    for t in extras:
        library.add(t)
    return main
