"""The one error type users see: a message and a hint, rendered one way everywhere."""

from __future__ import annotations

__all__ = ["GeppettoDevError"]


class GeppettoDevError(Exception):
    """A problem the user can fix; `hint` says how."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def format(self) -> str:
        """The one rendering, `message; hint`: the CLI prints it after `error: `, and the
        reload child shows it in the terminal and on its error page."""
        return f"{self.message}; {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        return self.format()
