"""`geppetto-dev init`: preflight, starter project, frontend clone/install/build, next steps.

The classic frontend is cloned; a template frontend (`--frontend meta`) is written from
`scaffold_templates/` instead, then both are installed and built by the same npm steps.
Everything that can refuse (missing tools, the user's work in an existing clone) is checked
before the first file is written, so a refusal leaves the folder exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from geppetto_dev.config import Settings, load_settings
from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.frontend import git, npm
from geppetto_dev.frontend.layout import paths
from geppetto_dev.frontend.preflight import preflight
from geppetto_dev.procs.steps import Console
from geppetto_dev.scaffold.engine import (
    FRONTEND_TEMPLATES,
    apply_plan,
    format_results,
    plan_frontend,
    plan_project,
)
from geppetto_dev.scaffold.names import package_name_for, validate_project_name
from geppetto_dev.scaffold.pyproject import write_tool_keys

__all__ = ["init_project", "project_context"]


def project_context(settings: Settings) -> dict[str, str]:
    """What the starter templates are rendered with."""
    name = settings.project_dir.name
    webapp = PurePosixPath(settings.webapp_path)
    return {
        "project_name": name,
        "package": package_name_for(name),
        "frontend_repo": settings.frontend_repo,
        "frontend_ref": settings.frontend_ref,
        # The commit recorded by an earlier init, so an unchanged pyproject.toml stays "identical".
        "frontend_commit": settings.frontend_commit or "",
        "webapp_path": webapp.as_posix(),
        "frontend_dir": (PurePosixPath(settings.frontend_clone.as_posix()) / webapp).as_posix(),
        "frontend": settings.frontend,
    }


def init_project(
    settings: Settings, *, skip_frontend: bool = False, console: Console | None = None
) -> None:
    """`geppetto-dev init`: everything between the parsed options and the next steps."""
    console = console or Console()
    dest = settings.project_dir
    if dest.exists() and not dest.is_dir():
        raise GeppettoDevError(f"{dest} exists and is not a folder", "choose another DIR")
    validate_project_name(
        dest.name,
        project_dir=dest,
        hint=lambda name: f"try: geppetto-dev init {_typed(dest.with_name(name))}",
    )
    templated = settings.frontend in FRONTEND_TEMPLATES
    if templated:
        _check_template_target(settings)
    if not skip_frontend:
        with _without_frontend_hint(settings, tools=True):
            versions = preflight(("node", "npm") if templated else ("git", "node", "npm"))
        console.line("found " + ", ".join(f"{tool} {v}" for tool, v in versions.items()))
        if not templated:
            git.check_clone(settings)

    # Render with the project's own settings, so an unchanged pyproject.toml is "identical";
    # what the command line changes is then edited into it line by line. A project started
    # with another frontend is rendered as asked (it then differs, and is skipped and edited).
    saved = project_context(load_settings(project_dir=dest))
    wanted = project_context(settings)
    plan = plan_project(dest, saved if saved["frontend"] == wanted["frontend"] else wanted)
    dest.mkdir(parents=True, exist_ok=True)
    results = apply_plan(plan, on_existing="skip")
    if templated:
        frontend_plan = plan_frontend(settings.frontend, paths(settings).webapp)
        results += apply_plan(frontend_plan, on_existing="skip")
    for line in format_results(results, plan.root):
        console.line(line)
    if any(status == "skip" for status, _ in results):
        console.line("(skipped files differ from the template and were left as they are)")
    pyproject = dest / "pyproject.toml"
    # Settings given on the command line are saved once the clone matches them (and the commit
    # once it is built), so pyproject.toml always describes the clone on disk.
    keys = ("frontend", "frontend_dir") if templated else _CLONE_KEYS
    changed = {key.replace("_", "-"): wanted[key] for key in keys if wanted[key] != saved[key]}
    if skip_frontend:
        _record(pyproject, changed, console)
        console.line(
            "frontend not built (--skip-frontend): '/' shows the prebuilt frontend "
            "shipped with geppetto-dev"
        )
    elif templated:
        _record(pyproject, changed, console)
        with _without_frontend_hint(settings):
            installed = npm.install(settings, console)
        npm.build(settings, console, installed=installed)
    else:
        with _without_frontend_hint(settings):
            commit = git.update_clone(settings, console)
        _record(pyproject, changed, console)
        try:
            with _without_frontend_hint(settings):
                installed = npm.install(settings, console)
            npm.build(settings, console, installed=installed)
        finally:
            git.remember_own_changes(settings)
        npm.check_built_page(settings, console)
        _record(pyproject, {"frontend-commit": commit}, console)
    _next_steps(settings, console, built=not skip_frontend)


_CLONE_KEYS = ("frontend", "frontend_repo", "frontend_ref", "webapp_path", "frontend_dir")


def _check_template_target(settings: Settings) -> None:
    """A template is written into the frontend folder; never into a clone of another frontend."""
    webapp = paths(settings).webapp
    if (webapp / ".git").exists() or (webapp / "src" / "main" / "webapp").exists():
        raise GeppettoDevError(
            f"{webapp} holds a clone of the classic Geppetto frontend",
            f"move it away to start the {settings.frontend} frontend there, "
            "or run init without --frontend to keep the classic one",
        )


def _record(pyproject: Path, values: dict[str, str], console: Console) -> None:
    if not values:
        return
    if write_tool_keys(pyproject, values):
        shown = {k: v[:12] if k == "frontend-commit" else v for k, v in values.items()}
        console.line("ok pyproject.toml: " + ", ".join(f"{k} = {v}" for k, v in shown.items()))
    else:
        lines = "; ".join(f'{k} = "{v}"' for k, v in values.items())
        console.line(f"note: add to [tool.geppetto-dev] in {pyproject}: {lines}")


def _typed(folder: Path) -> str:
    """A folder as the user would type it here: relative when near, quoted for the shell."""
    shown = os.path.relpath(folder, Path.cwd().resolve())
    return shlex.quote(str(folder) if shown.startswith(f"..{os.sep}..") else shown)


# What a failed clone or install says when the network is the cause (git, then npm).
_NETWORK_TROUBLE = re.compile(
    r"could not resolve host|unable to access|failed to connect|network is unreachable|"
    r"connection (timed out|refused)|E(NOTFOUND|AI_AGAIN|CONNREFUSED|TIMEDOUT|NETUNREACH)",
    re.IGNORECASE,
)
_LOG_PATH = re.compile(r"\(full log: (.+?)\)")


@contextlib.contextmanager
def _without_frontend_hint(settings: Settings, *, tools: bool = False) -> Iterator[None]:
    """A missing tool (`tools`) or an unreachable network: say which init works without it."""
    try:
        yield
    except GeppettoDevError as exc:
        if not tools:
            log = _LOG_PATH.search(exc.message)
            text = ""
            if log is not None:
                with contextlib.suppress(OSError):
                    text = Path(log[1]).read_text(encoding="utf-8", errors="replace")
            if not _NETWORK_TROUBLE.search(text):
                raise
        here = Path.cwd().resolve()
        command = "geppetto-dev init" + (
            "" if settings.project_dir == here else f" {_typed(settings.project_dir)}"
        )
        lacking = "neither git nor Node.js" if tools else "no network"
        options = [f"'{command} --skip-frontend' needs {lacking} (the prebuilt frontend)"]
        if settings.frontend not in FRONTEND_TEMPLATES and (not tools or "git" in exc.message):
            needs = "no git" if tools else "only the npm registry"
            options.insert(0, f"'{command} --frontend meta' needs {needs}")
        raise GeppettoDevError(exc.message, "; ".join([exc.hint, *options])) from None


def _next_steps(settings: Settings, console: Console, *, built: bool) -> None:
    """Each line is a command that works as printed, run from where init was run."""
    folder = settings.project_dir
    steps: list[tuple[str, str]] = []
    if folder != Path.cwd().resolve():
        steps.append((f"cd {_typed(folder)}", ""))
    steps.append(("geppetto-dev serve", f"http://{settings.host}:{settings.port}"))
    steps.append(("geppetto-dev serve --reload", "restarts on each save of a Python file"))
    if built:
        steps.append(("geppetto-dev serve --reload --build-watch", "rebuilds the frontend too"))
    steps.append(("python -m pip install -e '.[test]'", "pytest, for the project's own tests"))
    steps.append(("python -m pytest", "the project's own tests"))
    width = max(len(command) for command, _ in steps)
    console.line()
    console.line("Next steps:")
    for command, note in steps:
        console.line(f"  {command:<{width}}  # {note}" if note else f"  {command}")
