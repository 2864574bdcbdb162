"""Rebuild the prebuilt frontend shipped in the package, or check that it matches its sources.

    python -m geppetto_dev.frontend.embed           # rebuild (needs node, npm and the registry)
    python -m geppetto_dev.frontend.embed --check   # compare the recorded hash, no node needed

Rebuilding does what `geppetto-dev init --frontend meta` does, in a temporary folder: it writes
the `meta` template (`scaffold_templates/frontend-meta/`, with its lockfile), runs `npm ci` and
the production build, then copies the page, the bundle and its assets (never a source map) to
`geppetto_dev/server/embedded/webapp/build/`. Beside them it records, in `SOURCES.json`, the hash of
the template's files and of every built file, and it writes `THIRD_PARTY_LICENSES.txt` from the
npm packages webpack put into the bundle. `--check` recomputes both hashes: a template edited
without a rebuild, or a built file edited by hand, fails it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from geppetto_dev.errors import GeppettoDevError
from geppetto_dev.scaffold.engine import FRONTEND_TEMPLATES, apply_plan, plan_frontend
from geppetto_dev.server.embedded import EMBEDDED_DIR

# SOURCES.json and the license notices sit beside the served webapp folder, not in it.
RECORD_DIR = EMBEDDED_DIR.parent

__all__ = ["FRONTEND", "build_embedded", "check_embedded", "main", "sources_hash"]

FRONTEND = "meta"
RECORD = "SOURCES.json"
LICENSES = "THIRD_PARTY_LICENSES.txt"
# What the wheel needs from build/: the page, the bundle, its license banner, assets.
_SHIPPED_SUFFIXES = (".vm", ".js", ".txt", ".png", ".jpg", ".svg", ".woff", ".woff2", ".ttf")
_LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING", "LICENSE.md", "LICENSE.txt", "LICENCE.md")


def template_dir() -> Path:
    """The template in this source checkout (rebuilding writes into the checkout, never a venv)."""
    repo = Path(__file__).resolve().parents[2]
    folder = repo / "scaffold_templates" / FRONTEND_TEMPLATES[FRONTEND]
    if not folder.is_dir() or not (repo / "pyproject.toml").is_file():
        raise GeppettoDevError(
            "the frontend template is not here: this is not a source checkout of geppetto-dev",
            "run it from a clone of the repository (pip install -e .)",
        )
    return folder


def sources_hash(folder: Path) -> str:
    """sha256 over every template file's relative path and bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and _counted(p)):
        relpath = path.relative_to(folder).as_posix()
        content = path.read_bytes()
        digest.update(f"{relpath}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def _counted(path: Path) -> bool:
    return "__pycache__" not in path.parts


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(p for p in (root / "build").rglob("*") if p.is_file())
    }


def check_embedded(template: Path | None = None, record_dir: Path = RECORD_DIR) -> list[str]:
    """What is out of date (empty when the committed build matches its sources)."""
    template = template or template_dir()
    webapp = record_dir / EMBEDDED_DIR.name
    try:
        record = json.loads((record_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{record_dir / RECORD} is missing or unreadable: {exc}"]
    problems = []
    if record.get("sources_sha256") != sources_hash(template):
        problems.append(f"the template {template} changed since the embedded build was made")
    if record.get("files") != _file_hashes(webapp):
        problems.append(f"the built files in {webapp / 'build'} differ from those recorded")
    if not (record_dir / LICENSES).is_file():
        problems.append(f"{record_dir / LICENSES} is missing")
    return problems


def _run(argv: list[str], cwd: Path) -> None:
    print("$ " + " ".join(argv), flush=True)
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    done = subprocess.run(argv, cwd=cwd, env=env, check=False)
    if done.returncode != 0:
        raise GeppettoDevError(f"{' '.join(argv)} failed (exit code {done.returncode})", "")


def _tool_version(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise GeppettoDevError(f"{tool} was not found on PATH", "install Node.js (with npm)")
    return subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()


def build_embedded(record_dir: Path = RECORD_DIR) -> dict[str, Any]:
    """Build the template in production mode and replace the embedded build; the new record."""
    template = template_dir()
    versions = {tool: _tool_version(tool) for tool in ("node", "npm")}
    with tempfile.TemporaryDirectory(prefix="geppetto-embed-") as tmp:
        work = Path(tmp) / "frontend"
        apply_plan(plan_frontend(FRONTEND, work))
        _run(["npm", "ci", "--no-audit", "--no-fund"], work)
        _run(["npm", "run", "build", "--", "--json=stats.json"], work)
        stats = json.loads((work / "stats.json").read_text(encoding="utf-8"))
        licenses = third_party_licenses(work, _bundled_modules(stats))
        webapp = record_dir / EMBEDDED_DIR.name
        staged = webapp / "build.new"
        shutil.rmtree(staged, ignore_errors=True)
        for path in sorted((work / "build").rglob("*")):
            if path.is_file() and path.suffix in _SHIPPED_SUFFIXES:
                target = staged / path.relative_to(work / "build")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    shutil.rmtree(webapp / "build", ignore_errors=True)
    staged.rename(webapp / "build")
    (record_dir / LICENSES).write_text(licenses, encoding="utf-8")
    record = {
        "template": f"scaffold_templates/{FRONTEND_TEMPLATES[FRONTEND]}",
        "sources_sha256": sources_hash(template),
        "built_with": versions,
        "rebuild": "python -m geppetto_dev.frontend.embed",
        "files": _file_hashes(webapp),
    }
    (record_dir / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def _bundled_modules(stats: dict[str, Any]) -> Iterator[str]:
    """Every module name in webpack's stats, concatenated modules included."""

    def walk(modules: Iterable[dict[str, Any]]) -> Iterator[str]:
        for module in modules:
            for key in ("name", "identifier"):
                if isinstance(module.get(key), str):
                    yield module[key]
            yield from walk(module.get("modules") or ())

    yield from walk(stats.get("modules") or ())
    for child in stats.get("children") or ():
        yield from _bundled_modules(child)


def _package_root(module: str) -> PurePosixPath | None:
    """`./node_modules/@scope/name/lib/x.js` -> `node_modules/@scope/name` (the innermost)."""
    path = module.split("!")[-1].split("|")[0].replace("\\", "/")
    marker = "node_modules/"
    at = path.rfind(marker)
    if at < 0:
        return None
    head, rest = path[: at + len(marker)], path[at + len(marker) :].split("/")
    name = rest[:2] if rest[0].startswith("@") and len(rest) > 1 else rest[:1]
    start = head.find("node_modules/")
    return PurePosixPath(head[start:]) / "/".join(name)


def third_party_licenses(work: Path, modules: Iterable[str]) -> str:
    """The license notice of every npm package with code in the bundle."""
    roots = sorted({root for m in modules if (root := _package_root(m)) is not None}, key=str)
    sections = [
        "Third-party software in the prebuilt Geppetto frontend (geppetto_dev/server/embedded/"
        "webapp/build/),\nas bundled by webpack from the npm packages below. Generated by "
        "python -m geppetto_dev.frontend.embed.\n"
    ]
    for root in roots:
        folder = work / root
        try:
            meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        license_name = meta.get("license") or meta.get("licenses") or "UNKNOWN"
        text = next(
            (
                (folder / name).read_text(encoding="utf-8", errors="replace").strip()
                for name in _LICENSE_NAMES
                if (folder / name).is_file()
            ),
            f"(the package ships no license file; package.json says: {license_name})",
        )
        title = f"{meta.get('name', root.name)} {meta.get('version', '')} ({license_name})"
        sections.append(f"{'=' * 78}\n{title}\n{'-' * 78}\n{text}\n")
    return "\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m geppetto_dev.frontend.embed", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only check, build nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check_embedded()
            for problem in problems:
                print(f"out of date: {problem}", file=sys.stderr)
            if problems:
                print("rebuild it: python -m geppetto_dev.frontend.embed", file=sys.stderr)
                return 1
            print("the embedded frontend matches its sources")
            return 0
        record = build_embedded()
    except GeppettoDevError as exc:
        print(f"error: {exc.message}" + (f"; {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return 1
    size = sum((EMBEDDED_DIR / name).stat().st_size for name in record["files"])
    print(f"embedded frontend rebuilt: {len(record['files'])} files, {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
