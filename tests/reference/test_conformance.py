"""The conformance table: every type the Java server accepted and geppetto-meta's `fetch`,
answered by a handler of this server and proved by a test marked `@proves`."""

from __future__ import annotations

from pathlib import Path

from geppetto_dev.projects.defaults import default_handlers
from geppetto_dev.reference.conformance import (
    JAVA_INBOUND,
    JAVA_REPLIES,
    NEWER_CLIENTS,
    conformance_markdown,
    proofs,
)


def test_every_java_type_is_answered_and_proved() -> None:
    assert len(JAVA_INBOUND) == len(set(JAVA_INBOUND)) == 38
    assert set(JAVA_REPLIES) == {*JAVA_INBOUND, *NEWER_CLIENTS}
    handled = set(default_handlers().message_types())
    assert {*JAVA_INBOUND, *NEWER_CLIENTS} <= handled
    proved = proofs()
    unproved = [kind for kind in (*JAVA_INBOUND, "fetch") if not proved.get(kind)]
    assert unproved == []
    assert (
        "tests/projects/test_java_parity.py::test_every_java_type_over_a_real_serve"
        in (proved["download_results"])
    )


def test_the_table_has_a_row_per_type() -> None:
    table = conformance_markdown()
    rows = table.splitlines()[2:]
    assert len(rows) == len(JAVA_INBOUND) + len(NEWER_CLIENTS)
    assert "no handler" not in table
    (script,) = [r for r in rows if r.startswith("| `get_script` |")]
    assert "`script_fetched`" in script and "test_get_script_reads" in script


def test_marks_are_read_from_the_source_without_importing_it(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text(
        "import nothing_that_exists\n"
        "CASES = {'run_query': (1, 2), 'fetch': f()}\n"
        "TYPES = ['get_watch']\n"
        "@proves('get_script', *TYPES)\n"
        "def test_one(): ...\n"
        "@x.proves(*CASES)\n"
        "async def test_two(): ...\n"
        "@other('clear_watch')\n"
        "def test_three(): ...\n"
    )
    found = proofs(tests)
    assert found == {
        "get_script": ["tests/test_a.py::test_one"],
        "get_watch": ["tests/test_a.py::test_one"],
        "run_query": ["tests/test_a.py::test_two"],
        "fetch": ["tests/test_a.py::test_two"],
    }
    assert proofs(tmp_path / "missing") == {}
    markdown = conformance_markdown(tests_root=tmp_path / "missing")
    assert "| `get_script` |" in markdown and "—" in markdown
