"""`download_project`'s zip, made as Java's `downloadProject` made it.

Java (GeppettoManager.downloadProject, GeppettoProjectZipper, GeppettoModelTypesVisitor) wrote
one folder, `Project_<id>/`, holding the project JSON as `<id>.json`, the XMI model it points
at, the files the model's ImportTypes name (with what they include) and the experiments'
scripts; every reference in the JSON and the XMI rewritten to the copy in the zip, as a path
from the project's folder with a leading `/` (`"url": "/GeppettoModel.xmi"`). So is this zip:

- a project read from a Java project JSON or an XMI: its XMI as the file holds it, ImportType
  URLs rewritten;
- a project that is one model file (NeuroML, LEMS, SWC, OBJ, Collada: `view`, `model-files`):
  an XMI whose ImportTypes name that file, as Java's projects named their model files;
- a project built in Python: its model as it is now, written as XMI; a `model_file` it
  simulates (with its includes) is in the zip too, beside it; when the model is that file's,
  unchanged, the XMI names the file as for a model file, so it simulates where unpacked.

A completed experiment's recording goes in `experiment_<id>/` (RAW), named by its
`simulationResults`, as Java zipped the results files. Model files keep their paths relative
to one another (relative includes still work), under `Project_<id>/`. Nothing outside the
project's folder is zipped: an include or ImportType that leads out of it, or names a remote
file, stays a reference and its file stays out. The files zipped are bounded by
`MAX_DOWNLOAD_BYTES`.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, unescape

from geppetto_dev import model as gm
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.interpreters import (
    InterpreterError,
    InterpreterRegistry,
    ModelFile,
    Origin,
    parse_java_project,
)
from geppetto_dev.interpreters.imports import open_href
from geppetto_dev.interpreters.lems import LEMS_INTERPRETER_ID
from geppetto_dev.interpreters.model_includes import includes_of, is_local
from geppetto_dev.interpreters.xmi_values import eclass_of
from geppetto_dev.interpreters.xmi_writer import write_xmi
from geppetto_dev.interpreters.xmldoc import parse_xml
from geppetto_dev.interpreters.xmlsafe import root_name
from geppetto_dev.projects.connection import LoadedProject
from geppetto_dev.projects.file_projects import FileProject
from geppetto_dev.projects.records import COMPLETED, ExperimentRecord
from geppetto_dev.projects.scripts import ScriptError, read_script
from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.simulators.results import write

__all__ = ["MAX_DOWNLOAD_BYTES", "MODEL_XMI", "DownloadTooLarge", "project_zip"]

# The bytes of files (model files, scripts, the XMI) one download holds at most.
MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024
MODEL_XMI = "GeppettoModel.xmi"
_QUOTES = {'"': "&quot;", "'": "&apos;"}
_URL_ATTRIBUTE = re.compile(r"""(\burl\s*=\s*)(["'])(.*?)\2""", re.DOTALL)


class DownloadTooLarge(GeppettoDevError):
    """The project's files are more than one download holds."""


@dataclass
class _Contents:
    """What goes into the zip: texts by zip path, and files (inside `root`) by zip path."""

    texts: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def size(self) -> int:
        return sum(len(t) for t in self.texts.values()) + sum(
            p.stat().st_size for p in self.files.values()
        )


def _layout(files: list[Path], reserved: set[str]) -> dict[Path, str]:
    """Zip paths (in the project folder) of model files: relative to their common folder, so
    relative includes keep working; under `files/` if one would take a name `reserved`."""
    if not files:
        return {}
    base = Path(os.path.commonpath([str(f.parent) for f in files]))
    paths = {f: f.relative_to(base).as_posix() for f in files}
    if reserved & set(paths.values()):
        paths = {f: f"files/{p}" for f, p in paths.items()}
    return paths


def _rewrite_urls(xmi: str, urls: dict[str, str]) -> str:
    """`url="old"` -> `url="new"` for the URLs in `urls` (ImportTypes' model files)."""

    def swap(match: re.Match[str]) -> str:
        new = urls.get(unescape(match.group(3), {v: k for k, v in _QUOTES.items()}))
        if new is None:
            return match.group(0)
        quote = match.group(2)
        return f"{match.group(1)}{quote}{escape(new, _QUOTES)}{quote}"

    return _URL_ATTRIBUTE.sub(swap, xmi)


class _Builder:
    """The contents of one project's zip."""

    def __init__(
        self, loaded: LoadedProject, interpreters: InterpreterRegistry, project_dir: Path
    ) -> None:
        self.loaded = loaded
        self.interpreters = interpreters
        self.project_dir = project_dir
        self.out = _Contents()

    # -- the model ---------------------------------------------------------------------------

    def model(self) -> None:
        project = self.loaded.runtime.project
        if isinstance(project, FileProject) and project.error is None:
            suffix = project.path.suffix.lower()
            if suffix == ".json":
                xmi = self._java_xmi(project)
                if xmi is not None:
                    return self._copy_xmi(xmi)
            elif suffix == ".xmi" or (
                suffix == ".xml" and root_name(_file(project)) == "GeppettoModel"
            ):
                return self._copy_xmi(_file(project))
            else:
                return self._import_model_file(_file(project))
        self._written_model()

    def _java_xmi(self, project: FileProject) -> ModelFile | None:
        """The local XMI a Java project JSON points at (None: remote, or unreadable)."""
        try:
            url = parse_java_project(_file(project).read_bytes(), project.path).model_url
            if not is_local(url):
                return None
            return open_href(Origin(_file(project)), url).file
        except InterpreterError:
            return None

    def _copy_xmi(self, xmi: ModelFile) -> None:
        """The XMI as the file holds it, its ImportTypes' local files zipped and renamed."""
        data = xmi.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # not what this copies verbatim: write the model instead
            return self._written_model()
        root = parse_xml(data, xmi.path)
        origin = Origin(xmi)
        named: dict[str, list[ModelFile]] = {}
        for el in root.iter():
            url = el.get("url")
            if eclass_of(el) != "ImportType" or not url or not is_local(url):
                continue
            try:
                named[url] = includes_of(open_href(origin, url).file)
            except InterpreterError:
                continue  # a file not there: the reference stays, as the loader reports it
        zipped = self._add_files([f for files in named.values() for f in files])
        urls = {url: "/" + zipped[files[0].path] for url, files in named.items()}
        self.out.texts[MODEL_XMI] = _rewrite_urls(text, urls).encode("utf-8")

    def _import_model_file(self, source: ModelFile) -> None:
        """An XMI naming the model file, one ImportType per top-level variable's type, in the
        library the interpreter put it in."""
        self.out.texts[MODEL_XMI] = self._importing(source).encode("utf-8")

    def _importing(self, source: ModelFile) -> str:
        zipped = self._add_files(includes_of(source))
        if root_name(source) == "Lems":
            interpreter_id = LEMS_INTERPRETER_ID
        else:
            interpreter_id = self.interpreters.for_file(source.path.name).id
        read = self.loaded.model.model
        assert isinstance(read, gm.GeppettoModel)
        model = gm.GeppettoModel(read.id, read.name)
        for variable in read.variables:
            library = next((lib for lib in read.libraries if variable.type in lib.types), None)
            if library is None:
                continue  # a type in no library: no XMI holds it
            if library.id == gm.common.COMMON_ID:
                model.add_variable(
                    gm.Variable(variable.id, variable.type, variable.name, variable.initial_value)
                )
                continue
            target = model.library(library.id) if _has(model, library.id) else None
            if target is None:
                target = model.add_library(library.id, library.name)
            import_type = gm.ImportType(
                variable.type.id,
                variable.type.name,
                url="/" + zipped[source.path],
                model_interpreter_id=interpreter_id,
            )
            target.add(import_type)
            model.add_variable(gm.Variable(variable.id, import_type, variable.name))
        return write_xmi(model)

    def _written_model(self) -> None:
        """A project built in Python: its model now, as XMI, and its model file beside it; or,
        when the model is what the model file gives, an XMI naming the file (as for a file)."""
        read = self.loaded.model.model
        located = self._model_file()
        if located is not None and isinstance(read, gm.GeppettoModel) and self._is_of(located):
            self.out.texts[MODEL_XMI] = self._importing(located).encode("utf-8")
            return
        if isinstance(read, gm.GeppettoModel):
            text = write_xmi(read)
        else:
            from geppetto_dev.model import pygeppetto as gp

            text = gp.to_xmi(read)
        self.out.texts[MODEL_XMI] = text.encode("utf-8")
        if located is not None:
            self._add_files(includes_of(located))

    def _is_of(self, source: ModelFile) -> bool:
        """Whether the project's model is the model file's, unchanged."""
        try:
            model = self.interpreters.read_model(source.path, source.root)
        except InterpreterError:
            return False
        if any(v.id == "time" for v in self.loaded.model.model.variables):
            model.ensure_time()
        return gm.to_json(model) == gm.to_json(self.loaded.model.model)

    def _model_file(self) -> ModelFile | None:
        """The `model_file` a Python project simulates, where its runs read it."""
        ref = self.loaded.runtime.project.model_file
        if ref is None:
            return None
        path = Path(ref.path)
        if path.is_absolute():
            root = Path(ref.root) if ref.root else path.parent
        else:
            path = self.project_dir / path
            root = Path(ref.root) if ref.root else self.project_dir
            root = root if root.is_absolute() else self.project_dir / root
        try:
            return ModelFile.open(path, root)
        except InterpreterError:
            return None

    def _add_files(self, files: list[ModelFile]) -> dict[Path, str]:
        """Zip `files` (each inside its own root: ModelFile checked that); their zip paths."""
        unique = list(dict.fromkeys(f.path for f in files if f.path.is_relative_to(f.root)))
        paths = _layout(unique, {MODEL_XMI, *self.out.texts})
        for path, zipped in paths.items():
            self.out.files[zipped] = path
        return paths

    # -- the project JSON and scripts ----------------------------------------------------------

    def project_json(self) -> dict[str, Any]:
        runtime = self.loaded.runtime
        records = runtime.records()
        project = runtime.to_json(records)
        project["geppettoModel"] = {**project["geppettoModel"], "url": "/" + MODEL_XMI}
        for experiment, record in zip(project["experiments"], records, strict=True):
            experiment["simulationResults"] = self._results(record)
            modified = experiment.get("lastModified")
            if isinstance(modified, str) and modified.isdigit():
                experiment["lastModified"] = int(modified)  # as Java's zip wrote dates
            url = experiment.get("script")
            if not url:
                continue
            zipped = self._script(url)
            if zipped is not None:
                experiment["script"] = "/" + zipped
        return project

    def _results(self, record: ExperimentRecord) -> list[dict[str, Any]]:
        """A completed experiment's recording (RAW), in `experiment_<id>/` as Java put it."""
        if record.status != COMPLETED or not record.results:
            return []
        try:
            name, content = write(dict(record.results), "RAW")
        except SimulationError:
            return []
        zipped = f"experiment_{record.id}/{name}"
        self.out.texts[zipped] = content
        result = {"id": 1, "url": "/" + zipped, "type": "RECORDING"}
        return [{"id": 1, "simulatedInstance": record.instance, "result": result, "format": "RAW"}]

    def _script(self, url: str) -> str | None:
        """The script's path in the zip (None: a script the project does not serve)."""
        try:
            text = read_script(self.loaded.runtime.project, url)
        except ScriptError:
            return None
        relative = PurePosixPath(urlsplit(url).path.lstrip("/"))
        zipped = f"scripts/{relative.name}" if ".." in relative.parts else str(relative)
        while zipped in self.out.files or zipped == MODEL_XMI:  # a model file's name
            zipped = f"scripts/{zipped}"
        self.out.texts[zipped] = text.encode("utf-8")
        return zipped


def _file(project: FileProject) -> ModelFile:
    return ModelFile(project.path, project.root).checked()


def _has(model: gm.GeppettoModel, library_id: str) -> bool:
    return any(lib.id == library_id for lib in model.libraries)


def _entries(
    folder: str, project: dict[str, Any], contents: _Contents
) -> Iterator[tuple[str, bytes | Path]]:
    yield f"{folder}/{project['id']}.json", json.dumps(project, indent=2).encode("utf-8")
    for name, text in sorted(contents.texts.items()):
        yield f"{folder}/{name}", text
    for name, path in sorted(contents.files.items()):
        yield f"{folder}/{name}", path


def project_zip(
    loaded: LoadedProject,
    interpreters: InterpreterRegistry,
    project_dir: Path,
    *,
    limit: int = MAX_DOWNLOAD_BYTES,
) -> bytes:
    """The zip of a loaded project; DownloadTooLarge past `limit` bytes of files."""
    builder = _Builder(loaded, interpreters, project_dir)
    builder.model()
    project = builder.project_json()
    size = builder.out.size()
    if size > limit:
        raise DownloadTooLarge(
            f"project {loaded.runtime.name!r} is {_mib(size)} of files, more than the "
            f"{_mib(limit)} one download holds",
            "download its model files from the server's folder instead",
        )
    folder = f"Project_{loaded.runtime.id}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(f"{folder}/"), b"")  # the folder entry Java wrote
        for name, content in _entries(folder, project, builder.out):
            if isinstance(content, Path):
                archive.write(content, name)
            else:
                archive.writestr(name, content)
    return out.getvalue()


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"
