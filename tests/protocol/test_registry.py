from __future__ import annotations

import types
from typing import Any

import pytest

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.protocol import Registry, handler, protocol_handlers


def test_a_registry_answers_geppetto_version_and_may_replace_it() -> None:
    registry = protocol_handlers()
    assert registry.get("geppetto_version") is not None
    mine = Registry()

    @mine.handler("geppetto_version")
    def version(conn: Any, data: Any) -> None:
        return None

    registry.include(mine, override=True)
    assert registry.get("geppetto_version") is version
    assert "geppetto_version" in registry.message_types()


def test_two_handlers_for_one_type_is_a_one_line_user_error() -> None:
    registry = Registry()
    registry.add("t", lambda conn, data: None)
    with pytest.raises(GeppettoDevError, match="already has a handler") as raised:

        @registry.handler("t")
        def other(conn: Any, data: Any) -> None:
            return None

    assert "\n" not in str(raised.value) and raised.value.hint


def test_marked_functions_and_registries_are_collected_from_modules() -> None:
    module = types.ModuleType("fake_handlers")
    local = Registry()

    @handler("hello")
    def hello(conn: Any, data: Any) -> None:
        return None

    @local.handler("bye")
    def bye(conn: Any, data: Any) -> None:
        return None

    hello.__module__ = bye.__module__ = module.__name__
    imported = protocol_handlers().get("geppetto_version")  # defined elsewhere: not collected
    module.__dict__.update(hello=hello, local=local, imported=imported)
    collected = Registry.from_modules([module])
    assert collected.message_types() == ["bye", "hello"]
    assert collected.get("hello") is hello


def test_marking_registers_nothing_until_a_registry_collects_it() -> None:
    @handler("nowhere")
    def nowhere(conn: Any, data: Any) -> None:
        return None

    assert "nowhere" not in protocol_handlers()


def test_an_included_registry_replaces_defaults_only_when_it_overrides() -> None:
    defaults, mine = protocol_handlers(), Registry()

    @mine.handler("geppetto_version")
    def version(conn: Any, data: Any) -> None:
        return None

    with pytest.raises(GeppettoDevError):
        protocol_handlers().include(mine)
    defaults.include(mine, override=True)
    assert defaults.get("geppetto_version") is version
