"""The prebuilt frontend in the package matches the template it was built from (no node needed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from geppetto_dev.frontend import embed
from geppetto_dev.server.embedded import EMBEDDED_DIR

from .conftest import REPO

TEMPLATE = REPO / "scaffold_templates" / "frontend-meta"
RECORD_DIR = EMBEDDED_DIR.parent


def test_the_committed_build_matches_the_template_and_lockfile() -> None:
    # Fails when the template changed without `python -m geppetto_dev.frontend.embed`.
    assert embed.check_embedded() == []
    assert embed.main(["--check"]) == 0


def test_an_edited_template_or_built_file_is_caught(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE, template)
    record_dir = tmp_path / "embedded"
    shutil.copytree(RECORD_DIR, record_dir, ignore=shutil.ignore_patterns("__pycache__"))
    assert embed.check_embedded(template, record_dir) == []

    app = template / "src" / "App.js-tpl"
    app.write_text(app.read_text() + "\n// changed\n")
    assert [p.split()[1] for p in embed.check_embedded(template, record_dir)] == ["template"]

    shutil.copytree(TEMPLATE, template, dirs_exist_ok=True)
    (template / "src" / "App.js-tpl").write_text(app.read_text().removesuffix("\n// changed\n"))
    bundle = record_dir / "webapp" / "build" / "main.js"
    bundle.write_bytes(bundle.read_bytes() + b"\n")
    assert [p.split()[1] for p in embed.check_embedded(template, record_dir)] == ["built"]


def test_the_record_covers_every_shipped_file_and_no_source_map() -> None:
    record = json.loads((RECORD_DIR / "SOURCES.json").read_text())
    built = sorted(
        p.relative_to(EMBEDDED_DIR).as_posix()
        for p in (EMBEDDED_DIR / "build").rglob("*")
        if p.is_file()
    )
    assert sorted(record["files"]) == built
    assert {"build/geppetto.vm", "build/main.js"} <= set(built)
    assert not [name for name in built if name.endswith(".map")]
    assert record["rebuild"] == "python -m geppetto_dev.frontend.embed"
    # The page names only its own server: the bundle's URL, no CDN.
    page = (EMBEDDED_DIR / "build" / "geppetto.vm").read_text()
    assert "http" not in page.replace('name="viewport"', "")


def test_the_license_notices_name_what_the_bundle_contains() -> None:
    notices = (RECORD_DIR / "THIRD_PARTY_LICENSES.txt").read_text()
    for package in (
        "@metacell/geppetto-meta-client",
        "@metacell/geppetto-meta-core",
        "@metacell/geppetto-meta-ui",
        "react-dom",
        "three",
        "@material-ui/core",
    ):
        assert f"\n{package} " in notices, package
    # Build tools never reach the bundle, so they are not listed.
    assert "\nwebpack " not in notices and "\n@babel/core " not in notices


def test_package_roots_are_read_from_module_names() -> None:
    root = embed._package_root
    assert str(root("./node_modules/three/build/three.module.js")) == "node_modules/three"
    assert str(root("./node_modules/@metacell/geppetto-meta-ui/3d-canvas/Canvas.js")) == (
        "node_modules/@metacell/geppetto-meta-ui"
    )
    nested = "./node_modules/a/node_modules/@s/b/index.js + 3 modules"
    assert str(root(nested)) == "node_modules/a/node_modules/@s/b"
    assert root("./src/App.js") is None
