"""Whether the `accounts` extra is installed: the login pages need Flask-Login and Flask-WTF,
which single-user mode never imports."""

from __future__ import annotations

import importlib.util

from geppetto_dev.errors import GeppettoDevError

__all__ = ["INSTALL_HINT", "require_extra"]

INSTALL_HINT = "install them with: pip install 'geppetto-dev[accounts]'"
_MODULES = (("Flask-Login", "flask_login"), ("Flask-WTF", "flask_wtf"))


def require_extra() -> None:
    missing = [name for name, module in _MODULES if importlib.util.find_spec(module) is None]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise GeppettoDevError(
            f"accounts need {' and '.join(missing)}, which {verb} not installed", INSTALL_HINT
        )
