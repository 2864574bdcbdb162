"""An open WebSocket follows its login (accounts mode).

A connection learns whom it acts for when it opens, from its session cookie. The login behind
that cookie can end while it stays open: a logout in another tab, `users passwd` or `users
remove` from the command line, on any server of the database. So a logged-in connection reads
its login again every `login-recheck` seconds, off the event loop; when it no longer stands for
the same account and role, the connection acts for whom the cookie names now (a guest, when the
login ended), and the client is sent its new `user_privileges`, as on connect.
"""

from __future__ import annotations

import asyncio
import logging

from tornado.ioloop import PeriodicCallback

from geppetto_dev.application import GeppettoApp
from geppetto_dev.projects.viewer import Viewer, viewer_of
from geppetto_dev.protocol import Session, messages

__all__ = ["LoginWatch"]

log = logging.getLogger("geppetto_dev.accounts")


class LoginWatch:
    def __init__(
        self, app: GeppettoApp, session: Session, cookie: str | None, address: str | None
    ) -> None:
        self.app = app
        self.session = session
        self.cookie = cookie
        self.address = address
        self._timer: PeriodicCallback | None = None
        self._reading = False

    @classmethod
    def needed(cls, app: GeppettoApp, viewer: Viewer) -> bool:
        """Only a login can end: a guest's connection stays a guest's."""
        return app.settings.accounts and viewer.logged_in and app.settings.login_recheck > 0

    def start(self) -> LoginWatch:
        self._timer = PeriodicCallback(self.check, self.app.settings.login_recheck * 1000)
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    async def check(self) -> None:
        if self._reading:  # a slow database: one read at a time
            return
        self._reading = True
        try:
            now = await asyncio.to_thread(self.app.viewer_for, self.cookie, self.address)
        except Exception:
            # The database is away for a moment: the connection keeps what it had until the
            # next read answers, as a request in flight would.
            log.warning("could not read the login of a WebSocket from %s", self.address)
            return
        finally:
            self._reading = False
        if self._timer is None:
            return  # closed while reading
        before = viewer_of(self.session)
        if now == before:
            return
        self.app.act_as(self.session, now)
        if not now.logged_in:
            self.stop()
            log.info(
                "%s's login ended: a WebSocket from %s now acts as a guest",
                before.name,
                self.address,
            )
        else:
            log.info("a WebSocket from %s now acts as %s (%s)", self.address, now.name, now.role)
        self.session.send(
            messages.USER_PRIVILEGES,
            messages.user_privileges(now.name, now.privileges, logged_in=now.logged_in),
        )
        if not now.logged_in:
            self.session.send(
                messages.INFO_MESSAGE,
                messages.info_message(
                    "Your login has ended: you may read public projects; log in again to "
                    "change or run them."
                ),
            )
