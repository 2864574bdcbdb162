from __future__ import annotations

from typing import Any

import pytest

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.protocol import Registry, default_registry


def test_children_fall_back_to_builtins_and_may_override_them() -> None:
    registry = Registry(parent=default_registry)
    assert registry.get("geppetto_version") is not None

    @registry.handler("geppetto_version")
    def mine(conn: Any, data: Any) -> None:
        return None

    assert registry.get("geppetto_version") is mine
    assert "geppetto_version" in registry.message_types()


def test_two_handlers_for_one_type_is_a_one_line_user_error() -> None:
    registry = Registry()
    registry.add("t", lambda conn, data: None)
    with pytest.raises(GeppettoDevError, match="already has a handler") as raised:

        @registry.handler("t")
        def other(conn: Any, data: Any) -> None:
            return None

    assert "\n" not in str(raised.value) and raised.value.hint
