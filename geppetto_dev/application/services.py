"""What a running application owns: the experiment store on its database, the executor its
runs go to, the project services the default handlers use, and in accounts mode its accounts.

Made when the application starts (`start_services`), closed when it stops: the runs still in
flight are marked ERROR (they cannot report back to a stopped server) and the executor shuts
down. Nothing here is global: two applications in one process have two of everything.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from geppetto_dev.accounts import Accounts
from geppetto_dev.config import Settings
from geppetto_dev.executors import Progress, TrackedExecutor, make_executor
from geppetto_dev.projects.project import ProjectRegistry
from geppetto_dev.projects.runs import ExperimentRunner
from geppetto_dev.projects.services import ProjectPolicy, ProjectServices
from geppetto_dev.projects.uploads import UploadStore
from geppetto_dev.storage import database, describe_url
from geppetto_dev.storage.experiment_store import SQLExperimentStore
from geppetto_dev.storage.ownership import SQLOwnership
from geppetto_dev.storage.warm import warm_up as warm_database

__all__ = ["Services", "start_services", "warm_up"]


@dataclass
class Services:
    store: SQLExperimentStore
    executor: TrackedExecutor
    projects: ProjectServices
    summary: str  # the startup line: where experiments are kept and where they run
    # Accounts mode: the accounts; and the startup line saying who may do what.
    accounts: Accounts | None = None
    access: str = ""

    def close(self) -> None:
        self.store.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)


def start_services(
    settings: Settings,
    projects: ProjectRegistry,
    executor: Executor | None = None,
    uploads: UploadStore | None = None,
) -> Services:
    """Open the database, mark runs of stopped servers ERROR, connect the executor (the
    settings' one unless given one: a thread pool in a test, say)."""
    store = SQLExperimentStore(database(settings.database))
    recovered = store.start()
    try:
        inner = executor if executor is not None else make_executor(settings.experiment_cluster)
        tracked = TrackedExecutor(inner, Progress())
    except BaseException:
        store.stop()
        raise
    policy = ProjectPolicy(
        fetch_project_urls=settings.fetch_project_urls, fetch_limit=settings.max_message_size
    )
    note = f"; {recovered} run(s) of a stopped server marked ERROR" if recovered else ""
    summary = (
        f"Experiments: stored in {describe_url(settings.database)}, run on "
        f"{tracked.describe()}{note}"
    )
    runner = ExperimentRunner(tracked)
    ownership = SQLOwnership(store.db)
    services = ProjectServices(
        projects, store, runner, policy, uploads=uploads, ownership=ownership
    )
    accounts = Accounts(store.db) if settings.accounts else None
    return Services(
        store,
        tracked,
        services,
        summary,
        accounts=accounts,
        access=accounts.describe() if accounts is not None else _single_user(settings),
    )


def _single_user(settings: Settings) -> str:
    who = f"single user: everyone who connects acts as {settings.user_name!r}"
    if settings.trust_network:
        return f"Access: {who}, from any machine that reaches {settings.host} (trust-network)"
    return f"Access: {who} (--accounts for logins)"


def warm_up(settings: Settings) -> None:
    """What every server's `start_services` would do first, done once ahead of time by a
    process that forks servers (the reload fork server): the database's driver, mappers,
    schema and compiled statements."""
    warm_database(settings.database)
