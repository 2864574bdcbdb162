"""Projects and experiments in a real database, through SQLAlchemy 2.0's typed ORM.

`database(url)` gives the process's `Database` for a URL (`Settings.database`: an SQLite file
in the project's `data/` folder unless `database-url` says otherwise), schema created.
"""

from __future__ import annotations

from geppetto_dev.storage import schema
from geppetto_dev.storage.db import Base, Database, database, describe_url

__all__ = ["Base", "Database", "database", "describe_url", "schema"]
