"""Warming a database up before a process forks servers that will use it."""

from __future__ import annotations

from sqlalchemy.orm import configure_mappers

from geppetto_dev.storage import schema  # noqa: F401  (the mappers to configure)
from geppetto_dev.storage.db import database, dispose_all
from geppetto_dev.storage.experiment_store import SQLExperimentStore

__all__ = ["warm_up"]


def warm_up(url: str) -> None:
    """Do, ahead of time, the work every process's first use of `url` repeats: import the
    driver, configure the ORM mappers, create the engine and the schema, compile the statements
    a starting server runs. Then close every connection, so a process that forks servers (the
    reload fork server) hands each fork a ready engine with an empty pool: no connection is
    ever shared across a fork."""
    configure_mappers()
    try:
        SQLExperimentStore(database(url)).warm()  # also does the driver's own lazy imports
    except Exception:
        return  # unreachable now: each server says so when it starts, as without a warm-up
    finally:
        dispose_all()
