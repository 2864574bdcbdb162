"""The generated reference pages hold everything the code declares, and nothing made up."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

import pytest
import typer

from geppetto_dev import cli
from geppetto_dev.config import ENV_PREFIX, Settings
from geppetto_dev.protocol import Registry
from geppetto_dev.reference import cli_markdown, protocol_markdown, render, settings_markdown
from geppetto_dev.reference import settings as settings_page
from geppetto_dev.reference.commands import commands, setting_of
from geppetto_dev.reference.markdown import cell, code
from geppetto_dev.reference.protocol import server_registry

FIELDS = [f.name for f in dataclasses.fields(Settings) if f.name != "project_dir"]


def rows_of(markdown: str) -> dict[str, list[str]]:
    """Table rows by their first cell (without its backticks)."""
    rows = {}
    for line in markdown.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


def test_cli_page_has_every_command_and_option() -> None:
    page = cli_markdown()
    group = typer.main.get_command(cli.app)
    for name, command in group.commands.items():
        assert f"## `geppetto-dev {name}`" in page
        for param in command.params:
            for flag in (*param.opts, *param.secondary_opts):
                if flag.startswith("-"):
                    assert flag in page, f"{name} {flag}"
    assert "geppetto-dev serve [OPTIONS]" in page
    assert "`--version`" in page


def test_options_name_the_setting_they_set() -> None:
    serve = next(c for c in commands() if c.name == "geppetto-dev serve")
    settings = {p.declaration.split()[0]: p.setting for p in serve.parameters}
    assert settings["--app"] == "app"  # a renamed parameter
    assert settings["--reload-dir"] == "reload_dirs"
    assert settings["--build-watch"] is None  # a mode, not a setting
    assert setting_of("allowed_host") == "allowed_hosts"  # a repeatable option, singular
    assert setting_of("no_such_thing") is None


def test_settings_page_has_every_setting_with_its_env_var_and_default() -> None:
    rows = rows_of(settings_markdown())
    for name in FIELDS:
        key = name.replace("_", "-")
        assert key in rows, key
        assert code(ENV_PREFIX + name.upper()) in rows[key][3]
    assert rows["port"][1:3] == ["integer", "`5000`"]
    assert rows["ping-interval"][2] == "`30`"
    assert rows["privileges"][2].startswith('`["READ_PROJECT", ')
    assert rows["database-url"][2] == "unset"
    # What the meta frontend changes is shown beside the classic default.
    assert rows["frontend-dir"][2] == '`"frontend/src/main/webapp"` (meta: `"frontend"`)'
    assert "`serve --reload / --no-reload`" in rows["reload"][3]
    assert "`build-watch --frontend-dir`" in rows["frontend-dir"][3]


def test_every_setting_is_described_in_its_group() -> None:
    missing = [n for n in FIELDS if n not in settings_page.SETTINGS_HELP]
    assert not missing, f"describe in SETTINGS_HELP (reference/settings.py): {missing}"
    groups = {group for group, _ in settings_page.SETTINGS_HELP.values()}
    assert groups <= set(settings_page.GROUPS)


def test_a_setting_without_a_description_is_listed_under_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new setting is never missing from the page: its config.py comment describes it."""
    monkeypatch.delitem(settings_page.SETTINGS_HELP, "fetch_project_urls")
    page = settings_markdown()
    other = page[page.index("### Other") :]
    row = rows_of(other)["fetch-project-urls"]
    assert row[4].startswith("load_project_from_url may fetch http(s) URLs")


def test_protocol_page_has_every_type_the_server_answers() -> None:
    registry = server_registry()
    rows = rows_of(protocol_markdown())
    assert sorted(rows) == sorted(registry.message_types())
    assert len(rows) >= 28
    assert "`import_type_resolved`" in rows["resolve_import_type"][1]


def test_a_handler_without_a_known_reply_is_described_by_its_docstring() -> None:
    registry = Registry()

    @registry.handler("hello")
    def hello(conn: Any, data: Any) -> None:
        """Answers `hello` with a greeting.

        More detail nobody needs in a table."""

    @registry.handler("bare")
    def bare(conn: Any, data: Any) -> None:
        return None

    rows = rows_of(protocol_markdown(registry))
    assert rows["hello"][1] == "Answers `hello` with a greeting."
    assert rows["bare"][1] == f"answered by `{__name__}.{bare.__qualname__}`"


def test_cells_and_code_spans_cannot_break_a_table() -> None:
    assert cell("a | b\n c") == "a \\| b c"
    assert code("x") == "`x`"
    assert code("`x`") == "`` `x` ``"


def test_render_names_the_known_parts() -> None:
    with pytest.raises(KeyError, match="cli, settings, protocol"):
        render("nope")


def test_module_prints_a_part_and_refuses_a_bad_name() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geppetto_dev.reference", "protocol"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "| `load_project_from_id` |" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "geppetto_dev.reference", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("usage: python -m geppetto_dev.reference")
