"""What a running application owns: the experiment store on its database, the executor its
runs go to, the project services the default handlers use, and in accounts mode its accounts.

Made when the application starts (`start_services`), closed when it stops: the runs still in
flight are marked ERROR (they cannot report back to a stopped server) and the executor shuts
down. Nothing here is global: two applications in one process have two of everything.
"""

from __future__ import annotations

import functools
from concurrent.futures import Executor
from dataclasses import dataclass

from geppetto_dev.accounts import Accounts
from geppetto_dev.application.model_files import project_folder
from geppetto_dev.config import Settings
from geppetto_dev.executors import Progress, TrackedExecutor, make_executor
from geppetto_dev.interpreters import InterpreterRegistry, default_interpreters
from geppetto_dev.projects.model_reading import ModelReader
from geppetto_dev.projects.project import ProjectRegistry
from geppetto_dev.projects.runs import ExperimentRunner
from geppetto_dev.projects.services import ProjectPolicy, ProjectServices
from geppetto_dev.projects.uploads import UploadStore
from geppetto_dev.simulators.registry import SimulatorRegistry
from geppetto_dev.storage import database, describe_url
from geppetto_dev.storage.experiment_store import SQLExperimentStore
from geppetto_dev.storage.ownership import SQLOwnership
from geppetto_dev.storage.servers import Orphan
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

    @property
    def interpreters(self) -> InterpreterRegistry:
        """The application's model interpreters (`conn.app.services.interpreters`)."""
        return self.projects.interpreters

    @property
    def simulators(self) -> SimulatorRegistry:
        """The simulators experiments name (`conn.app.services.simulators`)."""
        return self.projects.simulators

    def close(self) -> None:
        """Stop: the runs this server computes are killed and marked ERROR; a cluster that
        keeps runs past a restart keeps them for the next server, which adopts them."""
        keeps = self.executor.keeps_runs
        self.projects.runner.stop_all()
        self.store.stop(keep_cluster_runs=keeps)
        self.executor.shutdown(wait=False, cancel_futures=not keeps)


def start_services(
    settings: Settings,
    projects: ProjectRegistry,
    executor: Executor | None = None,
    uploads: UploadStore | None = None,
    *,
    interpreters: InterpreterRegistry | None = None,
    simulators: SimulatorRegistry | None = None,
) -> Services:
    """Open the database, connect the executor (the settings' one unless given one: a thread
    pool in a test, say), take over the runs of stopped servers a cluster still computes and
    mark the others ERROR."""
    store = SQLExperimentStore(database(settings.database))
    inner = executor if executor is not None else make_executor(settings.experiment_cluster)
    tracked = TrackedExecutor(inner, Progress())
    runner = ExperimentRunner(tracked)
    adopted: list[Orphan] = []
    if tracked.keeps_runs:
        store.servers.adopt = functools.partial(_adopt, tracked, runner, store, adopted)
    try:
        recovered = store.start()
    except BaseException:
        tracked.shutdown(wait=False, cancel_futures=False)
        raise
    policy = ProjectPolicy(
        fetch_project_urls=settings.fetch_project_urls, fetch_limit=settings.max_message_size
    )
    note = f"; {len(adopted)} run(s) of a stopped server taken over" if adopted else ""
    note += f"; {recovered} run(s) of a stopped server marked ERROR" if recovered else ""
    summary = (
        f"Experiments: stored in {describe_url(settings.database)}, run on "
        f"{tracked.describe()}{note}"
    )
    interpreters = interpreters if interpreters is not None else default_interpreters()
    project_services = ProjectServices(
        projects,
        store,
        runner,
        policy,
        uploads=uploads,
        reader=ModelReader(interpreters, settings.project_dir.resolve()),
        folder=project_folder(settings, interpreters),
        simulators=simulators,
        ownership=SQLOwnership(store.db),
    )
    accounts = Accounts(store.db) if settings.accounts else None
    return Services(
        store,
        tracked,
        project_services,
        summary,
        accounts=accounts,
        access=accounts.describe() if accounts is not None else _single_user(settings),
    )


def _single_user(settings: Settings) -> str:
    who = f"single user: everyone who connects acts as {settings.user_name!r}"
    if settings.trust_network:
        return f"Access: {who}, from any machine that reaches {settings.host} (trust-network)"
    return f"Access: {who} (--accounts for logins)"


def _adopt(
    executor: TrackedExecutor,
    runner: ExperimentRunner,
    store: SQLExperimentStore,
    adopted: list[Orphan],
    orphan: Orphan,
) -> bool:
    """Follow a stopped server's run that the cluster still computes, as if submitted here."""
    future = executor.adopt(orphan.task)
    if future is None:
        return False
    runner.adopt(store, orphan.project_id, orphan.experiment_id, future)
    adopted.append(orphan)
    return True


def warm_up(settings: Settings) -> None:
    """What every server's `start_services` would do first, done once ahead of time by a
    process that forks servers (the reload fork server): the database's driver, mappers,
    schema and compiled statements."""
    warm_database(settings.database)
