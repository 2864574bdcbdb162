"""`@proves("type", ...)`: marks a test as proof that the server answers these request types
as the Java server did. The documentation's conformance table reads the marks from the test
sources (`geppetto_dev.reference.conformance`), so the arguments are strings, or `*NAME` for a
module-level list, tuple or dict (its keys) of type names written out in the source."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["proves"]

F = TypeVar("F", bound=Callable[..., Any])


def proves(*kinds: str) -> Callable[[F], F]:
    def mark(test: F) -> F:
        test.proves = (*getattr(test, "proves", ()), *kinds)  # type: ignore[attr-defined]
        return test

    return mark
