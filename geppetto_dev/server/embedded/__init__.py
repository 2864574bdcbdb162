"""The prebuilt Geppetto frontend shipped in the package, served when the project has none.

`webapp/build/` is the production build of the `meta` frontend template
(`scaffold_templates/frontend-meta/`), made by `python -m geppetto_dev.frontend.embed`, which
also records the hash of the sources it was built from (`SOURCES.json`) and the licenses of
what the bundle contains (`THIRD_PARTY_LICENSES.txt`). With it, `pip install geppetto-dev`
then `geppetto-dev serve` shows a working Geppetto page: no Node, no git, no build.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUILT_CONTEXT_PATH", "EMBEDDED_DIR", "PAGE", "frontend_to_serve", "is_built"]

# The webapp folder served in place of the project's: only its build/ is there, so the static
# route reaches nothing else of the package.
EMBEDDED_DIR = Path(__file__).resolve().parent / "webapp"
PAGE = Path("build/geppetto.vm")
# The context path the template's GeppettoConfiguration.json names; the page's script URL has it.
BUILT_CONTEXT_PATH = "org.geppetto.frontend"


def is_built(frontend: Path) -> bool:
    return (frontend / PAGE).is_file()


def frontend_to_serve(frontend: Path) -> Path:
    """The project's frontend once it is built, else the embedded one (when it is installed).

    Asked per request, so a frontend that `init` or `build-watch` finishes building takes over
    without a restart, and the page and its bundle always come from the same folder.
    """
    embedded = EMBEDDED_DIR  # read at call time, so tests can point it elsewhere
    if is_built(frontend) or not is_built(embedded):
        return frontend
    return embedded
