"""`--app` follows Flask's discovery rules: real modules written to a folder on sys.path."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from flask import Flask

from geppetto_dev.app_reference import find_app
from geppetto_dev.errors import GeppettoDevError

_numbers = count()
Write = Callable[[str], str]


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Write]:
    """`module(source)` writes a fresh module and returns its name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def write(source: str) -> str:
        name = f"appref_{next(_numbers)}"
        header = "from flask import Flask\n"
        (tmp_path / f"{name}.py").write_text(header + textwrap.dedent(source))
        names.append(name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("app = Flask('a')\napplication = Flask('b')\nother = Flask('c')\n", "a"),
        ("application = Flask('b')\nother = Flask('c')\n", "b"),
        ("only = Flask('c')\n", "c"),
        ("def create_app():\n    return Flask('factory')\n", "factory"),
        ("def make_app():\n    return Flask('made')\n", "made"),
        # An instance wins over a factory, as in flask.
        ("def create_app():\n    return Flask('factory')\nmine = Flask('mine')\n", "mine"),
    ],
)
def test_a_module_alone_finds_its_app_as_flask_does(
    module: Write, source: str, expected: str
) -> None:
    name = module(source)
    app = find_app(name)
    assert isinstance(app, Flask) and app.name == expected


@pytest.mark.parametrize(
    ("source", "expression", "expected"),
    [
        ("other = Flask('o')\napp = Flask('a')\n", "other", "o"),
        ("def build():\n    return Flask('built')\n", "build", "built"),
        (
            "def create_app(name, debug=False):\n    return Flask(name + str(debug))\n",
            "create_app('dev', debug=True)",
            "devTrue",
        ),
        ("class Holder:\n    inner = Flask('held')\n", "Holder.inner", "held"),
    ],
)
def test_a_named_attribute_or_call(
    module: Write, source: str, expression: str, expected: str
) -> None:
    name = module(source)
    assert find_app(f"{name}:{expression}").name == expected


@pytest.mark.parametrize(
    ("source", "expression", "message", "hint"),
    [
        ("x = 1\n", "", "has no Flask app: no app or application", "--app {m}:NAME"),
        ("a = Flask('a')\nb = Flask('b')\n", "", "has several Flask apps (a, b)", "{m}:a"),
        (
            "def create_app(config):\n    return Flask('x')\n",
            "",
            "{m}:create_app is not a Flask app, and a factory called with no arguments fails",
            "--app '{m}:create_app(...)'",
        ),
        (
            "def create_app():\n    return None\n",
            "",
            "{m}:create_app() returned a NoneType, not a Flask app",
            "return the app",
        ),
        ("x = 1\n", "nothing", "has no attribute 'nothing'", "after ':'"),
        ("x = 1\n", "x", "{m}:x is a int, not a Flask app", "a Flask instance"),
        ("x = 1\n", "x + 1", "cannot read 'x + 1'", "literal arguments"),
        (
            "def f(a):\n    return Flask('x')\n",
            "f(open('/etc/passwd'))",
            "are not literals",
            "strings, numbers",
        ),
    ],
)
def test_what_fails_says_which_rule_and_what_to_write(
    module: Write, source: str, expression: str, message: str, hint: str
) -> None:
    name = module(source)
    reference = f"{name}:{expression}" if expression else name
    with pytest.raises(GeppettoDevError) as raised:
        find_app(reference)
    assert message.format(m=name) in raised.value.message
    assert hint.format(m=name) in raised.value.hint


def test_a_missing_module_and_a_broken_reference() -> None:
    with pytest.raises(GeppettoDevError, match="cannot import module 'no_such_mod'"):
        find_app("no_such_mod:app")
    with pytest.raises(GeppettoDevError, match="invalid app reference"):
        find_app("mod:")


def test_an_import_error_inside_the_module_is_the_users_own(module: Write) -> None:
    name = module("import no_such_dependency_here\n")
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_here"):
        find_app(name)
