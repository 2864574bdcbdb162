"""The application object: one Geppetto application and everything it owns.

Its settings, its Flask app, the handlers it answers with (the defaults, then the project's),
the projects it serves, and, once started, the services they run on (store, executor, project
runtimes). Like Flask's `app.extensions` and uvicorn's lifespan: services are made when the
application starts and closed when it stops; a handler reaches them through its connection,
`conn.app.services`. Two applications in one process share nothing.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING

from flask import Flask

from geppetto_dev.accounts import Accounts, viewer_of_account
from geppetto_dev.application.loader import load_code
from geppetto_dev.application.model_files import add_file_projects, app_interpreters
from geppetto_dev.application.services import Services, start_services
from geppetto_dev.application.simulators import app_simulators
from geppetto_dev.config import Settings
from geppetto_dev.interpreters import InterpreterRegistry
from geppetto_dev.projects.defaults import default_handlers
from geppetto_dev.projects.privileges import GuardedRegistry
from geppetto_dev.projects.project import Project, ProjectRegistry
from geppetto_dev.projects.uploads import UploadStore
from geppetto_dev.projects.viewer import VIEWER_KEY, Viewer
from geppetto_dev.protocol.registry import Registry
from geppetto_dev.protocol.session import ProtocolSettings, Session, Write
from geppetto_dev.simulators.registry import SimulatorRegistry

if TYPE_CHECKING:
    from geppetto_dev.application.testing import TestClient

__all__ = ["GeppettoApp"]


class GeppettoApp:
    """A Geppetto application: `GeppettoApp.load(settings)` reads the project as its settings
    name it (its code, model files and project files folder); `GeppettoApp(settings,
    flask_app=..., handlers=..., projects=[...], interpreters=..., simulators=...)` builds one
    from values (tests, embedding)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        flask_app: Flask | None = None,
        handlers: Registry | None = None,
        projects: ProjectRegistry | list[Project] | None = None,
        executor: Executor | None = None,
        uploads: UploadStore | None = None,
        interpreters: InterpreterRegistry | None = None,
        simulators: SimulatorRegistry | None = None,
        home_project: int | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.flask = flask_app or Flask("geppetto_dev_default")
        # Every handler of a type in the privileges table is checked before it runs
        # (projects/privileges.py), the defaults and the project's own alike.
        self.handlers: Registry = GuardedRegistry()
        self.handlers.include(default_handlers())
        if handlers is not None:
            self.include(handlers)
        if isinstance(projects, ProjectRegistry):
            self.projects = projects
        else:
            self.projects = ProjectRegistry()
            for item in projects or ():
                self.projects.add(item)
        # The model interpreters, by modelInterpreterId and file name: add your own with
        # `app.interpreters.add(...)` (before the first model is read).
        self.interpreters = (
            interpreters if interpreters is not None else app_interpreters(self.settings)
        )
        # The simulators experiments name by simulatorId: add your own with
        # `app.simulators.add(...)` (before the application starts).
        self.simulators = simulators if simulators is not None else app_simulators()
        # The project `/` shows when the page's URL names none (None: the page decides).
        self.home_project = home_project
        # Where runs go instead of the settings' pool or cluster (a thread pool in a test).
        self.executor = executor
        # Where upload_model / upload_results go (Java's Dropbox); None: they are not offered.
        self.uploads = uploads
        self._started: Future[Services] | None = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings) -> GeppettoApp:
        """The project named by `settings`: its Flask app, and the handlers and projects of its
        packages (and of the app's module). Raises what importing the project raises."""
        code = load_code(settings)
        modules = (*code.project_modules, *code.handler_modules)
        interpreters = app_interpreters(settings, modules)
        projects = ProjectRegistry.from_modules(code.project_modules)
        # The model files (read now: one that cannot be read is this error) and the project
        # files folder, as projects; `/` shows the first model file.
        files = add_file_projects(settings, projects, interpreters)
        return cls(
            settings,
            flask_app=code.flask_app,
            handlers=Registry.from_modules(code.handler_modules),
            projects=projects,
            interpreters=interpreters,
            simulators=app_simulators(modules),
            home_project=files[0].id if files else None,
        )

    def include(self, handlers: Registry) -> None:
        """Answer with `handlers`; each replaces the default for its type."""
        self.handlers.include(handlers, override=True)

    def protocol_for(
        self, *, show_tracebacks: bool = False, viewer: Viewer | None = None
    ) -> ProtocolSettings:
        """What one connection acts on; the transport decides whether it may see tracebacks,
        and whom it acts for (the settings' single user unless told)."""
        if viewer is None:
            viewer = Viewer(self.settings.user_name, self.settings.privileges)
        return ProtocolSettings(
            user_name=viewer.name,
            privileges=viewer.privileges,
            logged_in=viewer.logged_in,
            geppetto_version=self.settings.geppetto_version,
            max_message_size=self.settings.max_message_size,
            show_tracebacks=show_tracebacks,
        )

    def session(
        self,
        write: Write,
        *,
        executor: Executor | None = None,
        show_tracebacks: bool = False,
        viewer: Viewer | None = None,
    ) -> Session:
        """A connection to this application, acting for `viewer` (the single user if None)."""
        session = Session(
            self.protocol_for(show_tracebacks=show_tracebacks, viewer=viewer),
            self.handlers,
            write,
            executor=executor,
            app=self,
        )
        if viewer is not None:
            session.state[VIEWER_KEY] = viewer
        return session

    def act_as(self, session: Session, viewer: Viewer) -> None:
        """From now on `session` acts for `viewer` (its login ended, or its role changed)."""
        session.protocol = replace(
            session.protocol,
            user_name=viewer.name,
            privileges=viewer.privileges,
            logged_in=viewer.logged_in,
        )
        session.state[VIEWER_KEY] = viewer

    def viewer_for(self, cookie_header: str | None, address: str | None = None) -> Viewer:
        """Who a request with this Cookie header acts for: in accounts mode the account its
        session logs in, or a logged-out guest (this reads the database: call it off the event
        loop); else the settings' single user."""
        if not self.settings.accounts:
            return Viewer(self.settings.user_name, self.settings.privileges, address=address)
        from geppetto_dev.accounts.cookies import account_for_cookie

        account = account_for_cookie(self.flask, self.accounts, cookie_header)
        return viewer_of_account(account, address)

    def accounts(self) -> Accounts:
        """The running accounts (waits for the services to open; accounts mode only)."""
        found = self.start_in_background().result().accounts
        if found is None:
            raise RuntimeError("accounts are off: serve with --accounts")
        return found

    # Lifespan --------------------------------------------------------------------------------

    def start(self) -> Services:
        """Open the services (once); blocks until they are ready."""
        return self.start_in_background().result()

    def start_in_background(self) -> Future[Services]:
        """Begin opening the services in a thread (once): a server can accept connections
        meanwhile, and only WebSocket handshakes wait for them."""
        with self._lock:
            if self._started is None:
                self._started = Future()
                threading.Thread(
                    target=self._start, args=(self._started,), name="geppetto-services"
                ).start()
            return self._started

    def _start(self, into: Future[Services]) -> None:
        try:
            into.set_result(
                start_services(
                    self.settings,
                    self.projects,
                    self.executor,
                    self.uploads,
                    interpreters=self.interpreters,
                    simulators=self.simulators,
                )
            )
        except BaseException as exc:  # raised where the services are awaited
            into.set_exception(exc)

    @property
    def ready(self) -> Future[Services] | None:
        """The services being opened, if they are."""
        return self._started

    @property
    def services(self) -> Services:
        """The running services (`start()` first)."""
        started = self._started
        if started is None or not started.done():
            raise RuntimeError("the application is not started: call start() first")
        return started.result()

    def close(self) -> None:
        """Close the services; the application can be started again."""
        with self._lock:
            started, self._started = self._started, None
        if started is not None and started.done() and started.exception() is None:
            started.result().close()

    def __enter__(self) -> GeppettoApp:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def test_client(self, viewer: Viewer | None = None) -> TestClient:
        """A client that holds the Geppetto conversation with this application in-process,
        acting for `viewer` (the single user if None)."""
        from geppetto_dev.application.testing import TestClient

        return TestClient(self, viewer=viewer)
