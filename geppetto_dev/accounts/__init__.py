"""Accounts: users in the project's database, roles giving Geppetto's privileges, logging in
and out, and who a connection acts for. The login pages (login.py) need the `accounts` extra
(Flask-Login, Flask-WTF) and are imported only when accounts are on."""

from __future__ import annotations

from geppetto_dev.accounts.roles import DEFAULT_ROLE, ROLES
from geppetto_dev.accounts.service import Accounts, viewer_of_account
from geppetto_dev.accounts.users import Account, AccountStore

__all__ = ["DEFAULT_ROLE", "ROLES", "Account", "AccountStore", "Accounts", "viewer_of_account"]
