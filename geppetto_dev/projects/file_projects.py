"""Projects that are files: a model file (NeuroML, LEMS, SWC, OBJ, Collada, XMI) or a Java
Geppetto project JSON, served with no Python.

A file is not an id. Each file project's id comes from the file's resolved path, so a URL or a
bookmark keeps naming the same file whatever order files are given in, and two files never
share one id (nor, so, one another's experiments). Its stored experiments belong to the
file's content too: `content_key` is the hash of its bytes, and the store resets a project's
experiments to what the file says when they were stored for other content (see
`ExperimentStore.claim`). Keeping the id stable and resetting on a new hash, rather than keying
by hash, keeps the page's `?load_project_from_id=N` valid across edits, while results recorded
against an older model are never shown for the new one.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from geppetto_dev.interpreters import (
    InterpreterError,
    InterpreterRegistry,
    JavaProject,
    ModelFile,
    gson,
    parse_java_project,
)
from geppetto_dev.interpreters.lems import LEMS_INTERPRETER_ID, LemsInterpreter, read_lems
from geppetto_dev.interpreters.text import decode_text
from geppetto_dev.interpreters.xmlsafe import root_name
from geppetto_dev.model import GeppettoModel, ImportType, Type
from geppetto_dev.model.paths import library_of
from geppetto_dev.projects.project import Experiment, Project, ProjectRegistry
from geppetto_dev.projects.simulated_files import simulated_file

__all__ = [
    "FILE_ID_BASE",
    "FileProject",
    "ProjectFolder",
    "broken_project",
    "file_project_id",
    "open_file_project",
    "unique_name",
]

# File projects' ids: 10 digits, above the random ids of volatile projects (up to 10**9) and
# far from the small ids projects declare in Python.
FILE_ID_BASE = 1_000_000_000
_FILE_ID_SPAN = 1_000_000_000
# Folders of the project files folder that never hold projects.
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


def file_project_id(path: Path | str) -> int:
    """The id of the project a file is: from its resolved path, the same in every run."""
    digest = hashlib.sha256(str(Path(path).resolve()).encode("utf-8")).digest()
    return FILE_ID_BASE + int.from_bytes(digest[:8], "big") % _FILE_ID_SPAN


@dataclass(eq=False)
class FileProject(Project):
    """A project read from a file; `digest` is the sha256 of the bytes it was read from."""

    path: Path = Path()
    root: Path = Path()  # the folder the file and what it names are read from
    digest: str = ""
    active_experiment_id: int | None = None
    error: InterpreterError | None = None  # why it cannot be read (what loading it answers)

    @property
    def qualname(self) -> str:
        return f"file {self.path}"

    @property
    def content_key(self) -> str | None:
        """What stored experiments belong to (None: a file that could not be read)."""
        return f"sha256:{self.digest}" if self.digest else None


def _experiments_of(java: JavaProject) -> tuple[Experiment, ...]:
    return tuple(Experiment(**e.experiment_fields()) for e in java.experiments)


def _read_model_file(
    source: ModelFile, interpreters: InterpreterRegistry
) -> tuple[GeppettoModel, tuple[Experiment, ...]]:
    """A model file's model, and for a LEMS file its simulation as an experiment."""
    if source.path.name.lower().endswith(".xml") and root_name(source) == "Lems":
        known = LEMS_INTERPRETER_ID in interpreters
        lems = interpreters.get(LEMS_INTERPRETER_ID) if known else None
        if isinstance(lems, LemsInterpreter):  # the built-in reader: it gives the simulation
            model, sim = read_lems(source)
            experiment = Experiment(
                1,
                sim.id or "Simulation",
                description=f"The <Simulation> of {source.path.name}",
                watched=tuple(sim.watched),
                timestep=sim.step,
                length=sim.length,
                # What runs a LEMS file without Java (the `neuron` extra); jLemsSimulator, which
                # Java projects name, is jNeuroML's engine and needs Java.
                simulator_id="neuronSimulator",
                instance=model.variables[0].id if model.variables else "",
            )
            return model, (experiment,)
    return interpreters.read_model(source.path, source.root), ()


def open_file_project(
    path: Path | str,
    interpreters: InterpreterRegistry,
    *,
    root: Path | str | None = None,
    read_model: bool = True,
) -> FileProject:
    """The project a file is. A model file is read now (its experiments come from it); a
    project JSON gives its experiments at once and its model (the XMI and the files it
    imports) when first built, unless `read_model` asks for it now (to check it).

    Raises InterpreterError, naming the file and line, for a file that cannot be read.
    """
    source = ModelFile.open(path, root)
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    model: GeppettoModel | None = None
    active: int | None = None
    model_url: str | None = None
    if source.path.suffix.lower() == ".json":
        java = parse_java_project(data, source.path)
        model_url = java.model_url
        name = java.name.replace("/", "-") or source.path.name
        experiments = _experiments_of(java)
        active = java.active_experiment_id
        if read_model:
            model = interpreters.read_project(source).model
    else:
        name = source.path.name
        model, experiments = _read_model_file(source, interpreters)
    return FileProject(
        id=file_project_id(source.path),
        name=name,
        build=_builder(source, interpreters, model),
        experiments=experiments,
        description=f"Read from {source.path.name}",
        resolve_type_hook=_resolver(source, interpreters),
        folder=source.path.parent,  # experiment scripts, relative to the project file
        path=source.path,
        root=source.root,
        digest=digest,
        active_experiment_id=active,
        model_file=simulated_file(source, model_url),
    )


def _resolver(
    source: ModelFile, interpreters: InterpreterRegistry
) -> Callable[[GeppettoModel, ImportType], Type]:
    """How the file's ImportTypes left unresolved (a network's projections) are read when a
    client asks, as the Java server did: by the interpreter they name, from the file their
    URL names (relative to the root folder, as the NeuroML reader writes them, or to the file
    naming them, as in XMI)."""

    def resolve(model: GeppettoModel, import_type: ImportType) -> Type:
        url = import_type.url or ""
        if not url or "://" in url:
            raise InterpreterError(source.path, f"cannot resolve {import_type.id!r} ({url!r})")
        candidates = [source.root / url, source.path.parent / url]
        path = next((c for c in candidates if c.is_file()), candidates[0])
        target = ModelFile(path.resolve(), source.root).checked()
        interpreter = (
            interpreters.get(import_type.model_interpreter_id)
            if import_type.model_interpreter_id
            else interpreters.for_file(url)
        )
        _, library, _ = library_of(model, import_type)
        return interpreter.import_type(target, import_type.id, library)

    return resolve


def _builder(
    source: ModelFile, interpreters: InterpreterRegistry, model: GeppettoModel | None
) -> Callable[[], GeppettoModel]:
    """The model read already (given once), else read when the project is first loaded."""
    read = [model] if model is not None else []

    def build() -> GeppettoModel:
        if read:
            return read.pop()
        return interpreters.read_model(source.path, source.root)

    return build


def broken_project(path: Path, root: Path, error: InterpreterError) -> FileProject:
    """A file that cannot be read, still listed: loading it answers with its error."""

    def build() -> Any:
        raise error

    return FileProject(
        id=file_project_id(path),
        name=path.name,
        build=build,
        description=f"Could not be read: {error.reason}",
        path=path.resolve(),
        root=root.resolve(),
        error=error,
    )


def unique_name(registry: ProjectRegistry, project: FileProject) -> None:
    """Give `project` a name no other registered project has (two GEPPETTO.json in two
    folders often share theirs): `HH`, then `HH (2)`, ..."""
    base, n = project.name, 1
    while (other := registry.by_name(project.name)) is not None and other is not project:
        n += 1
        project.name = f"{base} ({n})"


class ProjectFolder:
    """The project files folder: the project JSON files in it (and below), and any model or
    project file in it a client names by a relative URL."""

    def __init__(self, folder: Path | str, interpreters: InterpreterRegistry) -> None:
        self.folder = Path(folder).resolve()
        self.interpreters = interpreters
        self._lock = threading.Lock()

    def scan(self) -> list[FileProject]:
        """A project for every project JSON file (one that cannot be read too: it is listed
        and its error is what loading it answers)."""
        found = []
        for path in self._json_files():
            project = self._open_json(path)
            if project is not None:
                found.append(project)
        return found

    def _json_files(self) -> Iterator[Path]:
        if not self.folder.is_dir():
            return
        for top, dirs, files in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
            for name in sorted(files):
                if name.lower().endswith(".json"):
                    yield Path(top) / name

    def _open_json(self, path: Path) -> FileProject | None:
        """None for a JSON file that is not a project (no `geppettoModel`)."""
        try:
            text = decode_text(ModelFile.open(path, self.folder).read_bytes())
            data = gson.loads(text, source=path)
        except InterpreterError as error:
            return broken_project(path, self.folder, error)
        if not isinstance(data, dict) or "geppettoModel" not in data:
            return None
        try:
            return open_file_project(path, self.interpreters, root=self.folder, read_model=False)
        except InterpreterError as error:
            return broken_project(path, self.folder, error)

    def path_of(self, url: str) -> Path | None:
        """The file a relative URL (or a path from the folder, starting with `/`) names in the
        folder; None when the URL is not one or names no file. A path leading out of the
        folder is an InterpreterError."""
        parts = urlsplit(url.strip())
        if parts.scheme or parts.netloc or not parts.path:
            return None
        relative = unquote(parts.path).lstrip("/")
        path = (self.folder / relative).resolve()
        if not path.is_relative_to(self.folder):
            raise InterpreterError(
                relative,
                f"outside the folder project files are read from ({self.folder.name}/)",
                hint="name a file inside that folder, relative to it",
            )
        return path if path.is_file() else None

    def project_for(self, url: str, registry: ProjectRegistry) -> FileProject | None:
        """The project of the file a URL names in the folder, registered on first use."""
        path = self.path_of(url)
        if path is None:
            return None
        with self._lock:
            for known in registry.all():
                if isinstance(known, FileProject) and known.path == path:
                    return known
            project = open_file_project(path, self.interpreters, root=self.folder, read_model=False)
            unique_name(registry, project)
            registry.add(project)
            return project
