"""Which function answers which message type. Projects add theirs with `@handler("type")`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, Union

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.protocol import messages

if TYPE_CHECKING:
    from geppetto_dev.protocol.session import Session

__all__ = ["Registry", "Reply", "builtin_registry", "default_registry", "handler"]

# A dict is the data of a reply of the request's type; a Reply picks the type; a list sends
# several replies in order, each with the request's requestID (the four replies of a load).
HandlerResult = Union[None, dict[str, Any], "Reply", Sequence[Union[dict[str, Any], "Reply"]]]
Handler = Callable[["Session", Any], HandlerResult | Awaitable[HandlerResult]]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True)
class Reply:
    """A reply of another type than the request's, still carrying the request's requestID."""

    type: str
    payload: Any


class Registry:
    """Handlers by message type; a child registry falls back to its parent (the built-ins)."""

    def __init__(self, parent: Registry | None = None) -> None:
        self._handlers: dict[str, Handler] = {}
        self._parent = parent

    def handler(self, kind: str) -> Callable[[H], H]:
        """Decorator: `@handler("load_project_from_url") async def load(conn, data): ...`."""

        def register(func: H) -> H:
            self.add(kind, func)
            return func

        return register

    def add(self, kind: str, func: Handler) -> None:
        existing = self._handlers.get(kind)
        if existing is not None and _name(existing) != _name(func):
            # Two modules answering one type is a project mistake, reported as one line.
            raise GeppettoDevError(
                f"message type {kind!r} already has a handler, {_name(existing)}; "
                f"{_name(func)} cannot take it over",
                "keep one @handler per message type, or rename one of them",
            )
        self._handlers[kind] = func

    def get(self, kind: str) -> Handler | None:
        found = self._handlers.get(kind)
        if found is None and self._parent is not None:
            return self._parent.get(kind)
        return found

    def message_types(self) -> list[str]:
        inherited = self._parent.message_types() if self._parent else []
        return sorted(set(inherited) | set(self._handlers))


def _name(func: Handler) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


builtin_registry = Registry()


@builtin_registry.handler(messages.GEPPETTO_VERSION)
def _geppetto_version(conn: Session, data: Any) -> dict[str, Any]:
    return messages.geppetto_version(conn.protocol.geppetto_version)


# Where `@geppetto_dev.handler` registers; the server uses it unless given another registry.
default_registry = Registry(parent=builtin_registry)
handler = default_registry.handler
