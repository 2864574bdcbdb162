"""Projects registered in Python, and how a load request names one.

A project is a function that returns its model, plus its experiments and the hooks it fills
in (resolve a lazy type or value, fetch a variable, run an experiment, download the model):

    @project(id=1, name="demo", experiments=[Experiment(1, "Simulate", watched=["cell.v"])])
    def demo() -> gm.GeppettoModel: ...

    @demo.run
    def simulate(run: RunRequest) -> dict[str, gm.TimeSeries]: ...

A project whose model is a NeuroML or LEMS file names it (`@project(..., model_file="x.nml")`):
experiments whose `simulator_id` names a registered simulator (`neuronSimulator`) then run that
file with no run hook.

`load_project_from_id` names it by id (number or string), `load_project_from_url` by name or by
a URL whose last segment is its name (`demo`, `.../projects/demo.json`).

`@project` only makes the Project; the application collects the projects defined in the modules
of its `projects` package (and of its app's module) into its own `ProjectRegistry`.
"""

from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.projects.data_sources import DataSource, QueryProcessors, attach_data_sources

__all__ = [
    "Experiment",
    "ModelFileRef",
    "Project",
    "ProjectRegistry",
    "RunRequest",
    "project",
]

F = TypeVar("F", bound=Callable[..., Any])

# Hook signatures (the model is a geppetto_dev.model.GeppettoModel or a pygeppetto model).
ResolveType = Callable[[Any, Any], Any]  # (model, import_type) -> the type replacing it
ResolveValue = Callable[[Any, str], Any]  # (model, variable path) -> its value
FetchVariable = Callable[[Any, str, str], Any]  # (model, variable id, data source id) -> None
RunExperiment = Callable[["RunRequest"], Mapping[str, Any]]  # -> {watched path: TimeSeries}
Download = Callable[[Any, str, str], tuple[str, bytes]]  # (model, path, format) -> (name, bytes)
Script = Callable[[str], str | None]  # (script URL) -> the script's text, None: not this one


@dataclass(frozen=True)
class RunRequest:
    """What a run hook gets: which experiment, what to record, with which settings."""

    project_id: int
    experiment_id: int
    watched: tuple[str, ...]
    parameters: Mapping[str, float]
    timestep: float
    length: float
    run: int
    # The simulator configuration as the client saved it (Java's SimulatorConfiguration).
    simulator_id: str = "pythonSimulator"
    conversion_service_id: str | None = None
    simulator_parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelFileRef:
    """The model file a project's experiments are simulated from.

    `path` is a NeuroML (.nml) or LEMS (.xml) file, relative to the project folder (as
    `read_model` reads it) or absolute; `root` is the folder its includes must stay in (the
    project folder, or the file's own folder when the path is absolute); `target` names the
    network to run (empty: the LEMS file's target, or the file's only network).
    """

    path: str
    root: str = ""
    target: str = ""

    @classmethod
    def of(cls, value: ModelFileRef | str | os.PathLike[str]) -> ModelFileRef:
        return value if isinstance(value, ModelFileRef) else cls(os.fspath(value))


@dataclass(frozen=True)
class Experiment:
    """An experiment of a project, as the client lists it and as a run is configured.

    `watched` are the variable paths a run records (they must exist in the model); `length`
    and `timestep` are in seconds, as the Java simulator configuration holds them.
    """

    id: int
    name: str
    description: str = ""
    watched: Sequence[str] = ()
    parameters: Mapping[str, float] = field(default_factory=dict)
    timestep: float = 1e-05
    length: float = 0.1
    simulator_id: str = "pythonSimulator"
    instance: str = ""
    script: str | None = None
    conversion_service_id: str | None = None
    # Java's SimulatorConfiguration.parameters (the LEMS target network, say): text by name.
    simulator_parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class Project:
    """A registered project: how to build its model, its experiments and its hooks."""

    id: int
    name: str
    build: Callable[[], Any]
    experiments: Sequence[Experiment] = ()
    description: str = ""
    # Persisted projects get a usable experiments UI in the 0.3.8 client (run, status polling).
    persisted: bool = True
    resolve_type_hook: ResolveType | None = None
    resolve_value_hook: ResolveValue | None = None
    fetch_variable_hook: FetchVariable | None = None
    run_hook: RunExperiment | None = None
    download_hook: Download | None = None
    download_formats: tuple[str, ...] = ()
    # The NeuroML or LEMS file simulators run for this project's experiments.
    model_file: ModelFileRef | None = None
    data_sources: Sequence[DataSource] = ()
    # Processors of the queries of the model's data sources, by queryProcessorId; those of
    # `data_sources` are added to it.
    query_processors: QueryProcessors = field(default_factory=QueryProcessors)
    script_hook: Script | None = None
    # Where the project's files (experiment scripts) are read from; None: the folder of the
    # module that defines `build`.
    folder: Path | None = None

    def __post_init__(self) -> None:
        if isinstance(self.id, bool) or not isinstance(self.id, int) or self.id < 0:
            raise GeppettoDevError(
                f"project {self.name!r}: id must be a non-negative integer, got {self.id!r}",
                "give @project an id such as 1",
            )
        if not self.name or "/" in self.name:
            raise GeppettoDevError(
                f"project name {self.name!r} must be non-empty and contain no '/'",
                "load_project_from_url finds a project by the last segment of its URL",
            )
        ids = [e.id for e in self.experiments]
        if len(set(ids)) != len(ids):
            raise GeppettoDevError(
                f"project {self.name!r} has two experiments with one id", "number them uniquely"
            )
        self.data_sources = tuple(self.data_sources)
        source_ids = [d.id for d in self.data_sources]
        if len(set(source_ids)) != len(source_ids):
            raise GeppettoDevError(
                f"project {self.name!r} has two data sources with one id", "give each its own"
            )
        for source in self.data_sources:
            for processor_id, processor in source.processors().items():
                self.query_processors.add(processor_id, processor)

    def __call__(self) -> Any:
        """Build the model (a decorated function stays callable)."""
        return self.build()

    @property
    def qualname(self) -> str:
        build = self.build
        return f"{getattr(build, '__module__', '?')}.{getattr(build, '__qualname__', '?')}"

    def experiment(self, experiment_id: int) -> Experiment | None:
        return next((e for e in self.experiments if e.id == experiment_id), None)

    def use_model_file(
        self,
        path: str | os.PathLike[str],
        *,
        root: str | os.PathLike[str] = "",
        target: str = "",
    ) -> Project:
        """Simulate this project's experiments from the NeuroML or LEMS file at `path` (see
        `ModelFileRef`); returns the project."""
        self.model_file = ModelFileRef(os.fspath(path), os.fspath(root), target)
        return self

    @property
    def files(self) -> Path | None:
        """The folder of the project's own files: `folder`, or its module's folder."""
        if self.folder is not None:
            return self.folder
        try:
            source = inspect.getsourcefile(self.build)
        except TypeError:
            return None
        return Path(source).resolve().parent if source else None

    def data_source(self, data_source_id: str) -> DataSource | None:
        return next((d for d in self.data_sources if d.id == data_source_id), None)

    def build_model(self) -> Any:
        """The model as the server serves it: `build()`, plus the declared data sources."""
        return attach_data_sources(self.build(), self.data_sources)

    def fetcher(self, data_source_id: str) -> FetchVariable | None:
        """What answers fetch_variable for a data source: its `fetch`, else the project's
        `fetch_variable` hook."""
        source = self.data_source(data_source_id)
        fetch = source.fetch_hook if source is not None else None
        if fetch is not None:
            return lambda model, variable_id, _: fetch(model, variable_id)
        return self.fetch_variable_hook

    # Hooks, as decorators ---------------------------------------------------------------------

    def resolve_type(self, func: F) -> F:
        """`(model, import_type) -> Type`: called for resolve_import_type; the returned type
        replaces the ImportType in place (same id, same index), as the Java server does."""
        self.resolve_type_hook = func
        return func

    def resolve_value(self, func: F) -> F:
        """`(model, path) -> Value`: called for resolve_import_value; becomes the variable's
        initial value."""
        self.resolve_value_hook = func
        return func

    def fetch_variable(self, func: F) -> F:
        """`(model, variable_id, data_source_id) -> None`: add the variable (and the types it
        needs) to the model; what it added is sent to the client as a delta."""
        self.fetch_variable_hook = func
        return func

    def script(self, func: F) -> F:
        """`(script_url) -> text | None`: an experiment's script (get_script), given by Python
        instead of read from the project's files; None for a URL it does not know."""
        self.script_hook = func
        return func

    def query_processor(self, processor_id: str) -> Callable[[F], F]:
        """`(QueryContext) -> QueryResults | rows`: runs the ProcessQuery whose
        queryProcessorId is `processor_id` (a Java project's XMI names them)."""
        return self.query_processors.processor(processor_id)

    def run(self, func: F) -> F:
        """`(RunRequest) -> {path: TimeSeries}`: runs in the experiment executor, off the event
        loop. Return a TimeSeries (or a list of floats) for each watched path."""
        self.run_hook = func
        return func

    def download(self, *formats: str) -> Callable[[F], F]:
        """`(model, instance_path, format) -> (filename, bytes)` for the formats listed; they are
        what get_supported_outputs answers."""
        if not formats:
            raise GeppettoDevError(
                "@project.download needs the formats it writes", 'e.g. @demo.download("JSON")'
            )

        def register(func: F) -> F:
            self.download_hook = func
            self.download_formats = tuple(formats)
            return func

        return register


class ProjectRegistry:
    """Projects by id and by name. Registering a second project under a taken id or name is a
    one-line error, unless it is the same function again (a module imported twice)."""

    def __init__(self) -> None:
        self._by_id: dict[int, Project] = {}
        self._lock = threading.Lock()

    def add(self, item: Project) -> Project:
        with self._lock:
            for other in self._by_id.values():
                clash = other.id == item.id or other.name == item.name
                if clash and other.qualname != item.qualname:
                    raise GeppettoDevError(
                        f"project {item.name!r} (id {item.id}) of {item.qualname} clashes with "
                        f"project {other.name!r} (id {other.id}) of {other.qualname}",
                        "give every project its own id and name",
                    )
            for key in [k for k, p in self._by_id.items() if p.qualname == item.qualname]:
                del self._by_id[key]
            self._by_id[item.id] = item
        return item

    def include_modules(self, modules: Iterable[ModuleType]) -> None:
        """Add the projects defined at the top of `modules` (what `@project` returned)."""
        for module in modules:
            for value in list(vars(module).values()):
                if isinstance(value, Project):
                    self.add(value)

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType]) -> ProjectRegistry:
        registry = cls()
        registry.include_modules(modules)
        return registry

    def remove(self, item: Project | int) -> None:
        with self._lock:
            self._by_id.pop(item if isinstance(item, int) else item.id, None)

    def all(self) -> list[Project]:
        with self._lock:
            return sorted(self._by_id.values(), key=lambda p: p.id)

    def by_id(self, project_id: Any) -> Project | None:
        """`1`, `"1"` or `1.0` all name project 1 (the client sends the page's id as a string)."""
        number = as_id(project_id)
        if number is None:
            return None
        with self._lock:
            return self._by_id.get(number)

    def by_name(self, name: str) -> Project | None:
        with self._lock:
            return next((p for p in self._by_id.values() if p.name == name), None)

    def by_url(self, url: str) -> Project | None:
        """A name, or a URL or path whose last segment is the name (optionally `.json`)."""
        name = url_name(url)
        if not name:
            return None
        return self.by_name(name) or (self.by_id(name) if name.isdigit() else None)


def as_id(value: Any) -> int | None:
    """A project or experiment id from what a client sends: a number or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def url_name(url: str) -> str:
    """`demo`, `/projects/demo.json`, `https://host/p/demo.json?x=1` -> `demo`."""
    path = urlsplit(url.strip()).path if "://" in url else url.strip().split("?")[0]
    last = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    return last[: -len(".json")] if last.endswith(".json") else last


def project(
    *,
    id: int,
    name: str,
    experiments: Iterable[Experiment] = (),
    description: str = "",
    persisted: bool = True,
    registry: ProjectRegistry | None = None,
    data_sources: Iterable[DataSource] = (),
    query_processors: QueryProcessors | None = None,
    folder: Path | str | None = None,
    model_file: ModelFileRef | str | os.PathLike[str] | None = None,
) -> Callable[[Callable[[], Any]], Project]:
    """Decorator: the function building a project's model becomes a Project, whose
    `.resolve_type`, `.fetch_variable`, `.run`, `.download(...)`, `.script` and
    `.query_processor(...)` decorators add hooks. `folder` (relative to the function's module)
    holds the project's files; `model_file` is the NeuroML or LEMS file simulators run for its
    experiments. With `registry`, it is also added there (else the application collects it)."""

    def register(build: Callable[[], Any]) -> Project:
        where = Path(folder) if folder is not None else None
        if where is not None and not where.is_absolute():
            module = inspect.getsourcefile(build)
            where = (Path(module).resolve().parent if module else Path.cwd()) / where
        item = Project(
            id=id,
            name=name,
            build=build,
            experiments=tuple(experiments),
            description=description,
            persisted=persisted,
            model_file=ModelFileRef.of(model_file) if model_file is not None else None,
            data_sources=tuple(data_sources),
            query_processors=query_processors or QueryProcessors(),
            folder=where,
        )
        return registry.add(item) if registry is not None else item

    return register
