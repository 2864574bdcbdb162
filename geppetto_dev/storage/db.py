"""The database: one SQLAlchemy engine per URL and process, schema creation, units of work.

Any SQLAlchemy URL works; the default is an SQLite file in the project's `data/` folder, so
there is nothing to install or start. Every write is one transaction (`write()`): it is
committed whole when the block ends, or not at all, so a crash or a reload mid-write never
leaves half of it. SQLite is tuned for several processes on one file (two servers, a reload):
WAL journal (readers never wait for the writer), a busy timeout instead of "database is
locked", synchronous=FULL (a committed write survives a crash of the machine too), and
`BEGIN IMMEDIATE` for writes, so a read-then-write transaction takes the write lock up front
instead of failing when another process wrote in between.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session

from geppetto_dev.errors import GeppettoDevError

__all__ = ["Base", "Database", "database", "describe_url", "dispose_all"]

_WRITE = "geppetto_write"
_SQLITE_BUSY_TIMEOUT_S = 30.0


class Base(DeclarativeBase):
    """The declarative base of geppetto-dev's own tables (projects, experiments, results)."""


def describe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class Database:
    """An engine plus the two kinds of units of work the code uses: `read()` and `write()`.

    Sessions are short (one per request or status change) and never shared across threads;
    objects are expunged on exit so callers get plain data, not lazy-loading rows.
    """

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise GeppettoDevError(
                f"database-url is not a valid SQLAlchemy URL: {url!r}",
                'e.g. "sqlite:///data/geppetto-dev.sqlite3" or "postgresql+psycopg://user@host/db"',
            ) from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine_options.setdefault("connect_args", {"timeout": _SQLITE_BUSY_TIMEOUT_S})
        else:
            # A server restarted under the pool's feet: test connections before use.
            engine_options.setdefault("pool_pre_ping", True)
        try:
            self.engine: Engine = create_engine(url, **engine_options)
        except (NoSuchModuleError, ImportError) as exc:
            raise GeppettoDevError(
                f"no driver for {describe_url(url)}: {exc}",
                "install it, e.g. pip install 'geppetto-dev[postgres]' for PostgreSQL",
            ) from None
        if self.is_sqlite:
            _tune_sqlite(self.engine)
        self._writer = self.engine.execution_options(**{_WRITE: True})
        self._created: set[int] = set()
        self._lock = threading.Lock()

    def create(self, metadata: MetaData = Base.metadata) -> None:
        """Create the tables that do not exist yet (once per metadata and process).

        Several processes may start on one new database at once; a table another one created
        in between is not an error.
        """
        with self._lock:
            if id(metadata) in self._created:
                return
            for attempt in (1, 2):
                try:
                    metadata.create_all(self.engine)
                    break
                except Exception as exc:  # a concurrent CREATE TABLE, or no server
                    if attempt == 1:
                        continue  # the tables another process created are seen this time
                    if isinstance(exc, OperationalError):
                        raise GeppettoDevError(
                            f"cannot open the database {describe_url(self.url)}: {exc.orig}",
                            "check database-url (GEPPETTO_DEV_DATABASE_URL) and that its "
                            "server runs",
                        ) from None
                    raise
            self._created.add(id(metadata))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below be the only transaction control (pysqlite otherwise
        # opens its own, deferred, transactions).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_databases: dict[str, Database] = {}
_databases_lock = threading.Lock()


def database(url: str) -> Database:
    """The process's Database for `url`, its schema created (one engine and pool per URL)."""
    with _databases_lock:
        db = _databases.get(url)
        if db is None:
            db = _databases[url] = Database(url)
    db.create()
    return db


def dispose_all() -> None:
    """Close every connection of every engine of this process (before it forks)."""
    with _databases_lock:
        for each in _databases.values():
            each.engine.dispose()
