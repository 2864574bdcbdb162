"""`geppetto-dev init`: preflight, starter project, frontend clone/install/build, next steps.

The classic frontend is cloned; a template frontend (`--frontend meta`) is written from
`scaffold_templates/` instead, then both are installed and built by the same npm steps.
Everything that can refuse (missing tools, the user's work in an existing clone) is checked
before the first file is written, so a refusal leaves the folder exactly as it was.
"""

from __future__ import annotations

import os
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
from geppetto_dev.scaffold.names import package_name_for
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
    templated = settings.frontend in FRONTEND_TEMPLATES
    if templated:
        _check_template_target(settings)
    if not skip_frontend:
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
        installed = npm.install(settings, console)
        npm.build(settings, console, installed=installed)
    else:
        commit = git.update_clone(settings, console)
        _record(pyproject, changed, console)
        try:
            installed = npm.install(settings, console)
            npm.build(settings, console, installed=installed)
        finally:
            git.remember_own_changes(settings)
        npm.check_built_page(settings, console)
        _record(pyproject, {"frontend-commit": commit}, console)
    _next_steps(settings, console)


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


def _next_steps(settings: Settings, console: Console) -> None:
    here = Path.cwd().resolve()
    folder = settings.project_dir
    console.line()
    console.line("Next steps:")
    if folder != here:
        shown = os.path.relpath(folder, here) if folder.is_relative_to(here) else str(folder)
        console.line(f"  cd {shown}")
    url = f"http://{settings.host}:{settings.port}"
    console.line(f"  geppetto-dev serve                        # {url}")
    console.line(
        "  geppetto-dev serve --reload --build-watch # reload on Python and frontend edits"
    )
    console.line("  python -m pytest                          # the project's own tests")
