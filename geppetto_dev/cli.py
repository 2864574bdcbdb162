"""The `geppetto-dev` command: declarations only.

Each command turns its options into settings (`load_settings`, which also checks how they
combine, whatever their source) and forwards to one function; `main` maps errors to exit codes.
The modules doing the work are imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.exceptions import TyperException

from geppetto_dev.cli_usage import usage_line
from geppetto_dev.cli_users import users_app
from geppetto_dev.config import INSPECTOR_PATH, load_settings
from geppetto_dev.errors import GeppettoDevError

__all__ = ["app", "main"]

app = typer.Typer(
    name="geppetto-dev",
    help="Build Geppetto applications with a Python backend.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    suggest_commands=False,  # main() says "did you mean" itself, in its one-line form
)


def _show_version(value: bool) -> None:
    if value:
        from geppetto_dev import __version__

        print(f"geppetto-dev {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Build Geppetto applications with a Python backend."""


@app.command()
def serve(
    app_ref: Annotated[
        str | None,
        typer.Option(
            "--app",
            metavar="MODULE[:NAME]",
            help="The Flask app: MODULE:NAME (an app, or a function returning one), or MODULE "
            "alone, where app, application, create_app() or make_app() is used, as flask does.",
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(metavar="HOST", help="Interface to bind [default: 127.0.0.1]."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            metavar="PORT",
            help="Port to listen on, 0 for any free one [default: 5000].",
            min=0,
            max=65535,
        ),
    ] = None,
    frontend_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="The frontend's webapp folder (holds package.json and build/)."
        ),
    ] = None,
    context_path: Annotated[
        str | None,
        typer.Option(
            metavar="PREFIX", help="URL prefix of the frontend [default: org.geppetto.frontend]."
        ),
    ] = None,
    handlers: Annotated[
        str | None,
        typer.Option(
            metavar="MODULE", help="Module or package of WebSocket message handlers to import."
        ),
    ] = None,
    allowed_hosts: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            metavar="NAME",
            help="A host name to answer besides this machine's (repeatable): the name a proxy "
            "or the browser uses, e.g. app.example.org, or .example.org for its subdomains too.",
        ),
    ] = None,
    dev: Annotated[
        bool | None,
        typer.Option(
            "--dev/--no-dev",
            help="Development mode: tracebacks shown to loopback clients of a server bound to "
            "loopback (never with --host 0.0.0.0).",
        ),
    ] = None,
    inspector: Annotated[
        bool | None,
        typer.Option(
            "--inspector/--no-inspector",
            help=f"Serve the protocol inspector at {INSPECTOR_PATH} [default: on].",
        ),
    ] = None,
    reload: Annotated[
        bool | None,
        typer.Option(
            "--reload/--no-reload",
            help="Restart the server when a Python file of the project or its pyproject.toml "
            "changes, and reload open pages.",
        ),
    ] = None,
    reload_dirs: Annotated[
        list[Path] | None,
        typer.Option(
            "--reload-dir",
            metavar="DIR",
            help="With --reload: a folder to watch instead of the project folder (repeatable).",
        ),
    ] = None,
    reload_excludes: Annotated[
        list[str] | None,
        typer.Option(
            "--reload-exclude",
            metavar="GLOB",
            help="With --reload: a glob of files or folders not to watch, e.g. 'tests/*' "
            "(repeatable).",
        ),
    ] = None,
    build_watch: Annotated[
        bool,
        typer.Option(
            "--build-watch",
            help="Also run the frontend's watch script; with --reload, pages reload after "
            "each build.",
        ),
    ] = False,
    accounts: Annotated[
        bool | None,
        typer.Option(
            "--accounts/--no-accounts",
            help="Users log in (add them with 'geppetto-dev users add'); projects they save are "
            "theirs; logged out, public projects are read-only [default: single user].",
        ),
    ] = None,
    trust_network: Annotated[
        bool | None,
        typer.Option(
            "--trust-network/--no-trust-network",
            help="Serve a non-loopback --host without accounts: everyone who can reach it acts "
            "as the single user.",
        ),
    ] = None,
) -> None:
    """Serve the Geppetto frontend, the WebSocket protocol and the project's Flask app."""
    from geppetto_dev.serve import serve as serve_project

    # Every option but the --build-watch mode is a setting; tests/test_cli.py keeps them in step.
    overrides: dict[str, Any] = dict(
        app=app_ref,
        host=host,
        port=port,
        frontend_dir=frontend_dir,
        context_path=context_path,
        handlers=handlers,
        allowed_hosts=allowed_hosts or None,
        dev=dev,
        inspector=inspector,
        reload=reload,
        reload_dirs=reload_dirs or None,
        reload_excludes=reload_excludes or None,
        accounts=accounts,
        trust_network=trust_network,
    )
    settings = load_settings(overrides)
    # The overrides go along: under --reload, an edited pyproject.toml is read again beneath them.
    raise typer.Exit(serve_project(settings, build_watch=build_watch, overrides=overrides))


class Frontend(str, Enum):
    classic = "classic"
    meta = "meta"


@app.command()
def init(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            show_default=False,
            help="Project folder, created if needed [default: the current folder].",
        ),
    ] = Path("."),
    frontend_repo: Annotated[
        str | None,
        typer.Option(
            metavar="URL", help="Git URL or path of the Geppetto frontend [default: openworm's]."
        ),
    ] = None,
    frontend_ref: Annotated[
        str | None,
        typer.Option(metavar="REF", help="Tag, branch or commit to build [default: v0.3.8-alpha]."),
    ] = None,
    webapp_path: Annotated[
        str | None,
        typer.Option(
            metavar="PATH", help="The webapp folder inside the clone [default: src/main/webapp]."
        ),
    ] = None,
    frontend: Annotated[
        Frontend | None,
        typer.Option(
            metavar="classic|meta",
            help="classic: clone org.geppetto.frontend 0.3.8; meta: write a geppetto-meta app "
            "(npm registry only, no git) [default: classic].",
        ),
    ] = None,
    skip_frontend: Annotated[
        bool,
        typer.Option("--skip-frontend", help="Only the starter project: no git, no npm (offline)."),
    ] = False,
) -> None:
    """Create a starter project here, clone or write the Geppetto frontend, install and build it."""
    from geppetto_dev.project_init import init_project

    settings = load_settings(
        {
            "frontend_repo": frontend_repo,
            "frontend_ref": frontend_ref,
            "webapp_path": webapp_path,
            "frontend": frontend.value if frontend else None,
        },
        project_dir=directory,
    )
    init_project(settings, skip_frontend=skip_frontend)


@app.command("build-watch")
def build_watch(
    frontend_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="The frontend's webapp folder (holds package.json and build/)."
        ),
    ] = None,
    watch_script: Annotated[
        str | None,
        typer.Option(metavar="SCRIPT", help="npm script to run [default: build-dev-noTest:watch]."),
    ] = None,
) -> None:
    """Rebuild the frontend on every change (its npm watch script); Ctrl-C stops it all."""
    from geppetto_dev.frontend.watch import run_build_watch

    settings = load_settings({"frontend_dir": frontend_dir, "watch_script": watch_script})
    raise typer.Exit(run_build_watch(settings))


class Kind(str, Enum):
    """The pieces new-handler makes; the same as `geppetto_dev.scaffold.engine.KINDS`."""

    websocket = "websocket"
    rest = "rest"
    blueprint = "blueprint"


@app.command("new-handler")
def new_handler(
    kind: Annotated[
        Kind,
        typer.Argument(
            metavar="KIND",
            help="websocket: a message handler; rest: a resource at /api/NAME; "
            "blueprint: a Flask blueprint at /NAME.",
        ),
    ],
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="snake_case name: the message type, or the last part of the URL."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and write nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that exist with other content.")
    ] = False,
) -> None:
    """Generate a WebSocket handler, REST resource or blueprint, with its test, in this project."""
    from geppetto_dev.scaffold.pieces import new_piece

    new_piece(kind.value, name, force=force, dry_run=dry_run)


@app.command()
def view(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            show_default=False,
            help="Model or project files: NeuroML (.nml), LEMS (.xml), SWC, OBJ, Collada (.dae), "
            "XMI, a Java Geppetto project (.json).",
        ),
    ],
    port: Annotated[
        int | None, typer.Option(help="Port to listen on [default: 5000].", min=0, max=65535)
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URLs; open no browser.")
    ] = False,
    reload: Annotated[
        bool | None,
        typer.Option("--reload/--no-reload", help="Draw a file again each time it is saved."),
    ] = None,
) -> None:
    """Open model files in the browser: the first at /, each at /?load_project_from_id=N."""
    from geppetto_dev.view import view as view_files
    from geppetto_dev.view import view_settings

    settings = view_settings(paths, {"port": port, "reload": reload})
    raise typer.Exit(view_files(settings, open_browser=not no_browser))


app.add_typer(users_app, name="users")


def main(argv: list[str] | None = None) -> None:
    """Entry point: usage and domain errors become one line on stderr and a non-zero exit."""
    try:
        code = app(args=argv, prog_name="geppetto-dev", standalone_mode=False)
    except GeppettoDevError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        sys.exit(1)
    except TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `geppetto-dev`: the help
            print(exc.format_message())
            sys.exit(0)
        print(f"error: {usage_line(exc, app)}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
