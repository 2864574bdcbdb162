"""Channels KSChan cannot express, compiled from jNeuroML's NEURON export into a cache.

Where Java, pyNeuroML's jNeuroML jar and `nrnivmodl` (with a C compiler) are present, the
model goes through `jnml -neuron`, which writes one .mod file per ion channel of a `<cell>`;
the ones needed are compiled once by `nrnivmodl` into a folder named by the hash of their
text (and NEURON's version), so later runs of any model with the same channels load the
library in milliseconds. The folder is `$GEPPETTO_DEV_MECHANISMS`, else
`~/.cache/geppetto-dev/mechanisms`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import astuple
from pathlib import Path

from geppetto_dev.simulators.jneuroml import find_jar, prepare
from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.simulators.neuron.mechanisms import Mechanism

__all__ = ["cache_root", "compile_channels", "missing_tools"]

_SUFFIX = re.compile(r"^\s*SUFFIX\s+(\w+)", re.M)
_USEION = re.compile(r"^\s*USEION\s+(\w+)", re.M)
_WRAPPER = """<Lems>
    <Target component="geppetto_export"/>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Simulation.xml"/>
    <Include file="{model}"/>
    <Simulation id="geppetto_export" length="1ms" step="0.01ms" target="{network}"/>
</Lems>
"""


def _nrnivmodl() -> str | None:
    beside = Path(sys.executable).with_name("nrnivmodl")
    return str(beside) if beside.exists() else shutil.which("nrnivmodl")


def missing_tools() -> list[str]:
    """What the compiled path lacks here (empty: it can run)."""
    missing = []
    if shutil.which("java") is None:
        missing.append("a Java runtime")
    if find_jar() is None:
        missing.append("pyNeuroML (jNeuroML)")
    if _nrnivmodl() is None or shutil.which(os.environ.get("CC", "cc")) is None:
        missing.append("nrnivmodl and a C compiler")
    return missing


def cache_root() -> Path:
    configured = os.environ.get("GEPPETTO_DEV_MECHANISMS")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geppetto-dev" / "mechanisms"


def _export(model: Path, is_lems: bool, network: str, folder: Path) -> None:
    if is_lems:
        lems, _ = prepare(model, folder, quantities=(), step=None, length=None)
    else:
        lems = folder / "LEMS_geppetto_export.xml"
        lems.write_text(_WRAPPER.format(model=model, network=network))
    jar, java = find_jar(), shutil.which("java")
    assert jar is not None and java is not None
    proc = subprocess.run(
        [java, "-Djava.awt.headless=true", "-jar", str(jar), str(lems), "-neuron"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
        raise SimulationError(
            "jNeuroML could not export the model to NEURON:\n" + "\n".join(lines[-8:]), ""
        )


def _library(folder: Path) -> bool:
    return any(folder.glob("*/.libs/libnrnmech.so")) or any(folder.glob("*/libnrnmech.so"))


def _compile(mods: dict[str, str]) -> Path:
    import neuron

    digest = hashlib.sha256(str(getattr(neuron, "__version__", "")).encode())
    for name in sorted(mods):
        digest.update(name.encode() + b"\0" + mods[name].encode() + b"\0")
    root = cache_root()
    target = root / digest.hexdigest()[:24]
    if _library(target):
        return target
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=root))
    try:
        for name, text in mods.items():
            (work / name).write_text(text)
        proc = subprocess.run(
            [str(_nrnivmodl())], cwd=work, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0 or not _library(work):
            lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
            raise SimulationError(
                "nrnivmodl could not compile the exported channels:\n" + "\n".join(lines[-8:]),
                "check the C compiler",
            )
        try:
            work.rename(target)  # atomic: a concurrent build of the same channels may win
        except OSError:
            if not _library(target):
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def compile_channels(
    model: Path, is_lems: bool, network: str, files: Sequence[str], channels: Sequence[str]
) -> tuple[Path, dict[str, Mechanism]]:
    """The compiled library's folder and the mechanism of each channel in `channels`.

    `files` are the model's files (the main one and its includes): a model seen before, byte
    for byte, skips the export (~2 s of Java) and goes straight to its library.
    """
    key = hashlib.sha256(f"{is_lems}\0{network}\0{sorted(channels)}".encode())
    for name in files:
        key.update(Path(name).read_bytes())
    index = cache_root() / "models" / f"{key.hexdigest()[:24]}.json"
    try:
        known = json.loads(index.read_text())
        folder = cache_root() / known["folder"]
        if _library(folder):
            return folder, {c: Mechanism(*m) for c, m in known["mechanisms"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    folder, mechanisms = _export_and_compile(model, is_lems, network, channels)
    index.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "folder": folder.name,
        "mechanisms": {c: list(astuple(m)) for c, m in mechanisms.items()},
    }
    partial = index.with_suffix(f".{os.getpid()}")
    partial.write_text(json.dumps(record))
    partial.replace(index)
    return folder, mechanisms


def _export_and_compile(
    model: Path, is_lems: bool, network: str, channels: Sequence[str]
) -> tuple[Path, dict[str, Mechanism]]:
    with tempfile.TemporaryDirectory(prefix="geppetto-export-") as tmp:
        folder = Path(tmp)
        _export(model, is_lems, network, folder)
        mods = {}
        for channel in channels:
            path = folder / f"{channel}.mod"
            if not path.exists():
                raise SimulationError(
                    f"ion channel {channel!r}: jNeuroML's NEURON export wrote no mechanism "
                    "for it (only channels of a <cell> are exported one by one)",
                    "use it in a <cell>, or run the model with the jneuromlSimulator",
                )
            mods[path.name] = path.read_text()
    mechanisms = {}
    for name, text in mods.items():
        suffix, ion = _SUFFIX.search(text), _USEION.search(text)
        channel = name.removesuffix(".mod")
        mechanisms[channel] = Mechanism(
            suffix.group(1) if suffix else channel, "mod", ion.group(1) if ion else None
        )
    return _compile(mods), mechanisms
