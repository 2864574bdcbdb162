"""Which function answers which message type.

A `Registry` is a plain value, like FastAPI's `APIRouter`: handlers are added to it with its
`.handler("type")` decorator, or collected from modules whose functions carry the
`@geppetto_dev.handler("type")` mark, and an application includes the registries it wants.
Nothing registers by being imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar, Union

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.protocol import messages

if TYPE_CHECKING:
    from geppetto_dev.protocol.session import Session

__all__ = ["Answer", "Handler", "Registry", "Reply", "handler", "protocol_handlers"]

# A dict is the data of a reply of the request's type; a Reply picks the type; a list sends
# several replies in order, each with the request's requestID (the four replies of a load).
HandlerResult = Union[None, dict[str, Any], "Reply", Sequence[Union[dict[str, Any], "Reply"]]]
Handler = Callable[["Session", Any], HandlerResult | Awaitable[HandlerResult]]
H = TypeVar("H", bound=Handler)

# The attribute `@handler` marks a function with: the message types it answers.
MARK = "__geppetto_messages__"


@dataclass(frozen=True)
class Reply:
    """A reply of another type than the request's, still carrying the request's requestID."""

    type: str
    payload: Any


class Answer(Exception):
    """Raised in a handler to end it with `reply` (an info_message, a Java error type)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.type)
        self.reply = reply


def handler(kind: str) -> Callable[[H], H]:
    """Mark a function as the answer to `kind`; a registry collects it from its module."""

    def mark(func: H) -> H:
        kinds: tuple[str, ...] = getattr(func, MARK, ())
        setattr(func, MARK, (*kinds, kind))
        return func

    return mark


class Registry:
    """Handlers by message type."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def handler(self, kind: str) -> Callable[[H], H]:
        """Decorator: `@handlers.handler("load_project_from_url") async def load(conn, data)`."""

        def register(func: H) -> H:
            self.add(kind, func)
            return func

        return register

    def add(self, kind: str, func: Handler) -> None:
        existing = self._handlers.get(kind)
        if existing is not None and existing is not func and _name(existing) != _name(func):
            # Two modules answering one type is a project mistake, reported as one line.
            raise GeppettoDevError(
                f"message type {kind!r} already has a handler, {_name(existing)}; "
                f"{_name(func)} cannot take it over",
                "keep one handler per message type, or rename one of them",
            )
        self._handlers[kind] = func

    def include(self, other: Registry, *, override: bool = False) -> None:
        """Add `other`'s handlers; with `override`, they replace this registry's for a type."""
        for kind, func in other._handlers.items():
            if override:
                self._handlers[kind] = func
            else:
                self.add(kind, func)

    def include_modules(self, modules: Iterable[ModuleType]) -> None:
        """Add the marked functions and the registries defined at the top of `modules`."""
        for module in modules:
            for value in list(vars(module).values()):
                if isinstance(value, Registry) and value is not self:
                    self.include(value)
                elif callable(value) and getattr(value, "__module__", None) == module.__name__:
                    for kind in getattr(value, MARK, ()):
                        self.add(kind, value)

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType]) -> Registry:
        registry = cls()
        registry.include_modules(modules)
        return registry

    def get(self, kind: str) -> Handler | None:
        return self._handlers.get(kind)

    def message_types(self) -> list[str]:
        return sorted(self._handlers)

    def __contains__(self, kind: object) -> bool:
        return kind in self._handlers

    def __len__(self) -> int:
        return len(self._handlers)


def _name(func: Handler) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def _geppetto_version(conn: Session, data: Any) -> dict[str, Any]:
    return messages.geppetto_version(conn.protocol.geppetto_version)


def protocol_handlers() -> Registry:
    """What the protocol itself answers, whatever the application: `geppetto_version`."""
    registry = Registry()
    registry.add(messages.GEPPETTO_VERSION, _geppetto_version)
    return registry
