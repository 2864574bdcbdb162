"""Settings, derived in one place: CLI > environment (GEPPETTO_DEV_*) > pyproject.toml > defaults.

`[tool.geppetto-dev]` keys use dashes (`frontend-dir`), environment variables use upper snake case
(`GEPPETTO_DEV_FRONTEND_DIR`), and the CLI passes already-parsed values. Every key is checked, so
a typo in pyproject.toml is an error with a hint rather than a silently ignored setting.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import sys
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.setting_rules import (
    DEFAULT_PRIVILEGES,
    check_host_entries,
    check_privileges,
)
from geppetto_dev.setting_values import coerce

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "DEFAULT_BUILD_COMMAND",
    "DEFAULT_FRONTEND_DIR",
    "DEFAULT_PRIVILEGES",
    "ENV_PREFIX",
    "INSPECTOR_PATH",
    "TOOL_TABLE",
    "Settings",
    "check_storage",
    "is_project",
    "load_settings",
    "read_pyproject",
]

ENV_PREFIX = "GEPPETTO_DEV_"
TOOL_TABLE = "geppetto-dev"
DEFAULT_FRONTEND_DIR = Path("frontend/src/main/webapp")
DEFAULT_BUILD_SCRIPT = "build-dev-noTest"
# What the "frontend not built" page tells the user to run in the webapp folder.
DEFAULT_BUILD_COMMAND = f"npm install --legacy-peer-deps && npm run {DEFAULT_BUILD_SCRIPT}"
# Where `serve` shows the protocol inspector (on unless --no-inspector).
INSPECTOR_PATH = "/_geppetto/inspector"


@dataclass(frozen=True)
class Settings:
    """Everything the server, supervisor and frontend tooling need to know."""

    project_dir: Path = field(default_factory=Path.cwd)
    app: str | None = None
    handlers: str | None = None
    # Package (or module) whose modules register projects with @project, imported at start.
    projects: str | None = None
    # load_project_from_url may fetch http(s) URLs that name no registered project. Off: any
    # page that can open the WebSocket could otherwise make the server fetch what it likes.
    fetch_project_urls: bool = False
    # Java Geppetto project files (project JSON, the XMI and model files they name), served as
    # projects with no Python: a folder of the project.
    project_files: Path | None = Path("projects")
    # Model or project files served as projects, in this order; `/` shows the first.
    model_files: tuple[Path, ...] = ()
    host: str = "127.0.0.1"
    port: int = 5000
    frontend_dir: Path = DEFAULT_FRONTEND_DIR
    context_path: str = "org.geppetto.frontend"
    geppetto_version: str = "0.3.8"
    user_name: str = "Python User"
    privileges: tuple[str, ...] = DEFAULT_PRIVILEGES
    allowed_origins: tuple[str, ...] = ()
    # Host names answered besides loopback names and the bound address (DNS rebinding defence).
    allowed_hosts: tuple[str, ...] = ()
    # Accounts mode: users log in, projects have owners, privileges come from each user's role.
    accounts: bool = False
    # Serve a non-loopback address without accounts: whoever reaches it is the single user.
    trust_network: bool = False
    # Seconds between re-reads of an open WebSocket's login (accounts mode): a logout, a new
    # password or a removed account reaches open connections within this long.
    login_recheck: float = 5.0
    max_message_size: int = 10 * 1024 * 1024
    # Per WebSocket (docs/reference/limits.md): bytes queued behind the message being sent to a
    # client before it is dropped (1008), requests handled at once before no more are read,
    # and the keep-alive ping (seconds).
    max_send_buffer: int = 16 * 1024 * 1024
    max_requests_in_flight: int = 2
    ping_interval: float = 30.0
    ping_timeout: float = 30.0
    # How long a stopping server waits for the requests it accepted (seconds).
    drain_timeout: float = 30.0
    wsgi_threads: int = 16
    # Tracebacks for loopback clients of a loopback-bound server (server/traceback_policy.py).
    dev: bool = False
    # Proxies (addresses or networks) whose X-Forwarded-For names the client; from any other
    # peer a forwarded request is someone else's.
    trusted_proxies: tuple[str, ...] = ()
    # Hot reload (serve --reload).
    reload: bool = False
    reload_dirs: tuple[Path, ...] = ()
    reload_excludes: tuple[str, ...] = ()
    inspector: bool = True
    # Frontend clone and build (init, build-watch). `frontend` picks what init makes: "classic"
    # clones org.geppetto.frontend; "meta" writes a geppetto-meta app from the npm registry.
    frontend: str = "classic"
    frontend_repo: str = "https://github.com/openworm/org.geppetto.frontend"
    frontend_ref: str = "v0.3.8-alpha"
    frontend_commit: str | None = None
    frontend_clone: Path = Path("frontend")
    webapp_path: str = "src/main/webapp"
    build_script: str = DEFAULT_BUILD_SCRIPT
    watch_script: str = f"{DEFAULT_BUILD_SCRIPT}:watch"
    npm_install_args: tuple[str, ...] = ()
    npm_overrides: Mapping[str, Any] = field(default_factory=dict)
    # Direct dependencies to set (a version or spec) or drop (false) in package.json.
    npm_pins: Mapping[str, str | bool] = field(default_factory=dict)
    # Apply the shipped, tested fixes (pins, overrides, lockfile) of a known frontend release.
    release_fixes: bool = True
    # Projects and experiments: where they are stored, where simulations run.
    database_url: str | None = None
    experiment_cluster: str | None = None

    @property
    def frontend_path(self) -> Path:
        """The webapp folder served as static files, absolute."""
        return (self.project_dir / self.frontend_dir).resolve()

    @property
    def database(self) -> str:
        """The SQLAlchemy URL of the project's database: an SQLite file in `data/` unless set."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.project_dir / 'data' / 'geppetto-dev.sqlite3'}"

    @property
    def websocket_path(self) -> str:
        return f"/{self.context_path}/GeppettoServlet" if self.context_path else "/GeppettoServlet"


FRONTENDS = ("classic", "meta")
# What the "meta" frontend changes in the defaults: its project is the webapp (no clone with a
# webapp folder inside), and its npm scripts have other names. A value set anywhere still wins.
_FRONTEND_DEFAULTS: dict[str, dict[str, Any]] = {
    "meta": {
        "frontend_dir": Path("frontend"),
        "webapp_path": ".",
        "build_script": "build-dev",
        "watch_script": "watch",
    },
}

_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "project_dir"}
# The fields' real types (the annotations are strings under `from __future__ import annotations`).
_TYPES: dict[str, Any] = typing.get_type_hints(Settings)

# Where a value came from, lowest first; the rank decides which of two values was meant.
DEFAULT, PYPROJECT, ENVIRONMENT, COMMAND_LINE = range(4)


def read_pyproject(project_dir: Path) -> dict[str, Any]:
    """The raw `[tool.geppetto-dev]` table, or {} when there is none."""
    return _tool_table(project_dir) or {}


def is_project(folder: Path) -> bool:
    """A geppetto-dev project: its pyproject.toml has a [tool.geppetto-dev] table."""
    return _tool_table(folder) is not None


def _tool_table(project_dir: Path) -> dict[str, Any] | None:
    path = project_dir / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GeppettoDevError(f"{path} is not valid TOML: {exc}", "fix the file") from None
    table = data.get("tool", {}).get(TOOL_TABLE)
    if table is not None and not isinstance(table, dict):
        raise GeppettoDevError(f"{path}: [tool.{TOOL_TABLE}] must be a table", "fix the file")
    return table


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    project_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the layers, then check the combination, whatever layer each value came from.

    `overrides` come from the CLI, already parsed; a value of None means "not given".
    """
    project_dir = (project_dir or Path.cwd()).resolve()
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    ranks: dict[str, int] = {}

    for key, raw in read_pyproject(project_dir).items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise GeppettoDevError(
                f"pyproject.toml: unknown setting {key!r} in [tool.{TOOL_TABLE}]",
                "known settings: " + ", ".join(sorted(n.replace("_", "-") for n in _FIELDS)),
            )
        values[name] = coerce(name, _TYPES[name], raw, "pyproject.toml")
        ranks[name] = PYPROJECT

    for name in _FIELDS:
        env_key = ENV_PREFIX + name.upper()
        if env_key in environ:
            values[name] = coerce(
                name, _TYPES[name], environ[env_key], f"environment variable {env_key}"
            )
            ranks[name] = ENVIRONMENT

    for name, value in (overrides or {}).items():
        if name not in _FIELDS:
            raise ValueError(f"unknown setting {name}")  # a programming error, not a user one
        if value is not None:
            values[name] = tuple(value) if isinstance(value, list) else value
            ranks[name] = COMMAND_LINE

    if "context_path" in values:
        values["context_path"] = str(values["context_path"]).strip("/")
    frontend = values.get("frontend", "classic")
    if frontend not in FRONTENDS:
        raise GeppettoDevError(
            f"frontend must be one of {', '.join(FRONTENDS)}, got {frontend!r}",
            "classic: org.geppetto.frontend 0.3.8 (cloned); meta: the geppetto-meta client "
            "from the npm registry",
        )
    for name, value in _FRONTEND_DEFAULTS.get(frontend, {}).items():
        values.setdefault(name, value)
    settings = Settings(project_dir=project_dir, **values)
    _check(settings, ranks)
    return settings


def _check(settings: Settings, ranks: Mapping[str, int]) -> None:
    """Combinations that cannot be meant, from whichever layer each value came."""
    if not 0 <= settings.port <= 65535:
        raise GeppettoDevError(
            f"port {settings.port} is out of range",
            "use a port from 1 to 65535, or 0 for any free port",
        )
    check_storage(settings)
    check_privileges(settings.privileges, _source("privileges", ranks))
    check_host_entries(settings.allowed_hosts, _source("allowed_hosts", ranks))
    _check_proxies(settings, _source("trusted_proxies", ranks))
    _check_reload_options(settings, ranks)


def _source(name: str, ranks: Mapping[str, int]) -> str:
    """Where a setting's value came from, as error messages name it."""
    rank = ranks.get(name, DEFAULT)
    if rank == PYPROJECT:
        return f"pyproject.toml: {name.replace('_', '-')}"
    if rank == ENVIRONMENT:
        return f"environment variable {ENV_PREFIX}{name.upper()}"
    return "--" + name.replace("_", "-").removesuffix("s")


def _check_proxies(settings: Settings, source: str) -> None:
    for entry in settings.trusted_proxies:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise GeppettoDevError(
                f"{source}: {entry!r} is not an IP address or network",
                'list the proxies\' addresses, e.g. trusted-proxies = ["127.0.0.1", "10.0.0.0/8"]',
            ) from None


def _check_reload_options(settings: Settings, ranks: Mapping[str, int]) -> None:
    """reload-dirs / reload-excludes without reload would be ignored without a word.

    An explicit `--no-reload` (or GEPPETTO_DEV_RELOAD=false) above a project's configured
    reload-dirs is fine: it switches reloading off for one run. The same layer or a lower one
    deciding "no reload" means the options can never apply, which is an error.
    """
    if settings.reload:
        return
    given = [n for n in ("reload_dirs", "reload_excludes") if getattr(settings, n)]
    if not given:
        return
    rank = max(ranks.get(n, DEFAULT) for n in given)
    if ranks.get("reload", DEFAULT) > rank:
        return
    if rank == COMMAND_LINE:
        raise GeppettoDevError(
            "--reload-dir and --reload-exclude only apply with --reload", "add --reload"
        )
    keys = " and ".join(n.replace("_", "-") for n in given)
    if rank == ENVIRONMENT:
        names = " and ".join(ENV_PREFIX + n.upper() for n in given)
        raise GeppettoDevError(
            f"environment variable {names}: {keys} only apply with reload",
            f"add --reload or set {ENV_PREFIX}RELOAD=true",
        )
    raise GeppettoDevError(
        f"pyproject.toml: {keys} only apply with reload",
        f"set reload = true in [tool.{TOOL_TABLE}] (--no-reload still turns it off for a run), "
        f"or remove {keys}",
    )


_DATABASE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+_.-]*://")
_CLUSTER_ADDRESS = re.compile(r"^(tcp|tls|ws|wss|ucx)://[^\s/]+:\d+/?$")


def check_storage(settings: Settings) -> None:
    """Both URLs are checked here, before a server starts, rather than on the first request."""
    url = settings.database_url
    if url and not _DATABASE_URL.match(url):
        raise GeppettoDevError(
            f"database-url must be an SQLAlchemy URL, got {url!r}",
            'e.g. database-url = "postgresql+psycopg://user@localhost/geppetto" '
            '(or "sqlite:///data/geppetto-dev.sqlite3")',
        )
    cluster = settings.experiment_cluster
    if cluster and not _CLUSTER_ADDRESS.match(cluster):
        raise GeppettoDevError(
            f"experiment-cluster must be a Dask scheduler address, got {cluster!r}",
            'e.g. experiment-cluster = "tcp://127.0.0.1:8786" (what `dask scheduler` prints)',
        )
