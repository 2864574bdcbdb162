"""Read NeuroML files: geppetto-dev's stdlib reader vs libNeuroML, measured in one run.

Two generated files: a cell of 10,000 segments (with segment groups) and a network of 1,000
located cells (a populationList of a 4-segment cell, 5,000 connections). Each reader runs in a
fresh subprocess per file (so one's imports and caches never help the other): it imports,
reads the file REPEATS times, and reports its best time and its peak RSS above what the process
held once imported (ru_maxrss). geppetto-dev is measured twice: the document (what libNeuroML
gives) and the Geppetto model built from it (what a client is sent).

    python bench/interpreters.py             # both files, 5 repeats
    python bench/interpreters.py --repeats 9
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NS = 'xmlns="http://www.neuroml.org/schema/neuroml2"'


def write_cell(path: Path, n: int) -> None:
    rng = random.Random(1)
    out = [f'<neuroml {NS} id="big_cell">', '<cell id="big"><morphology id="big_morph">']
    out.append(
        '<segment id="0" name="soma"><proximal x="0" y="0" z="0" diameter="10"/>'
        '<distal x="0" y="10" z="0" diameter="10"/></segment>'
    )
    for i in range(1, n):
        out.append(
            f'<segment id="{i}" name="dend"><parent segment="{rng.randrange(i)}"/>'
            f'<distal x="{rng.uniform(-500, 500):.3f}" y="{rng.uniform(-500, 500):.3f}" '
            f'z="{rng.uniform(-50, 50):.3f}" diameter="{rng.uniform(0.5, 3):.2f}"/></segment>'
        )
    out.append('<segmentGroup id="soma_group"><member segment="0"/></segmentGroup>')
    members = "".join(f'<member segment="{i}"/>' for i in range(1, n))
    out.append(f'<segmentGroup id="dendrite_group">{members}</segmentGroup>')
    out.append("</morphology></cell></neuroml>")
    path.write_text("\n".join(out))


def write_network(path: Path, cells: int, connections: int) -> None:
    rng = random.Random(2)
    out = [
        f'<neuroml {NS} id="big_net">',
        '<expTwoSynapse id="AMPA" tauRise="0.1ms" tauDecay="2ms" gbase="1nS" erev="0mV"/>',
        '<cell id="pyr"><morphology id="pyr_morph">',
        '<segment id="0" name="soma"><proximal x="0" y="0" z="0" diameter="15"/>'
        '<distal x="0" y="15" z="0" diameter="15"/></segment>',
    ]
    for i in range(1, 4):
        out.append(
            f'<segment id="{i}" name="dend{i}"><parent segment="{i - 1}"/>'
            f'<distal x="0" y="{15 + 50 * i}" z="0" diameter="2"/></segment>'
        )
    out.append("</morphology></cell>")
    out.append('<network id="net"><population id="pop" component="pyr" type="populationList">')
    for i in range(cells):
        out.append(
            f'<instance id="{i}"><location x="{rng.uniform(0, 1000):.2f}" '
            f'y="{rng.uniform(0, 1000):.2f}" z="{rng.uniform(0, 100):.2f}"/></instance>'
        )
    out.append("</population>")
    out.append(
        '<projection id="proj" presynapticPopulation="pop" postsynapticPopulation="pop" '
        'synapse="AMPA">'
    )
    for i in range(connections):
        out.append(
            f'<connection id="{i}" preCellId="../pop/{rng.randrange(cells)}/pyr" '
            f'postCellId="../pop/{rng.randrange(cells)}/pyr" postSegmentId="{rng.randrange(4)}" '
            'postFractionAlong="0.5"/>'
        )
    out.append("</projection></network></neuroml>")
    path.write_text("\n".join(out))


def _rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(side: str, file: str, repeats: int) -> dict[str, Any]:
    """Runs in the subprocess: import the reader, read `repeats` times, report."""
    sys.path.insert(0, str(ROOT))
    if side == "libneuroml":
        from neuroml.loaders import read_neuroml2_file

        def read() -> object:
            return read_neuroml2_file(file, include_includes=True)

    else:
        from geppetto_dev.interpreters.base import ModelFile
        from geppetto_dev.interpreters.neuroml import build_model, read_document

        source = ModelFile.open(file)
        if side == "gd-document":

            def read() -> object:
                return read_document(source)

        else:

            def read() -> object:
                return build_model(read_document(source), source)

    base = _rss_kb()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = read()
        times.append(time.perf_counter() - start)
        del result
    return {"best": min(times), "peak_mb": (_rss_kb() - base) / 1024}


def measure(side: str, file: Path, repeats: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", side, str(file), str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--child", nargs=3, metavar=("SIDE", "FILE", "REPEATS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        side, file, repeats = args.child
        print(json.dumps(child(side, file, int(repeats))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = {
            "cell, 10,000 segments": Path(tmp) / "cell.nml",
            "network, 1,000 located cells": Path(tmp) / "network.nml",
        }
        write_cell(files["cell, 10,000 segments"], 10_000)
        write_network(files["network, 1,000 located cells"], 1_000, 5_000)
        best = f"best of {args.repeats}"
        print(f"| file | reader | {best} | peak RSS above imports | libNeuroML / this |")
        print("|---|---|---|---|---|")
        for label, path in files.items():
            size = path.stat().st_size / 1e6
            results = {
                side: measure(side, path, args.repeats)
                for side in ("libneuroml", "gd-document", "gd-model")
            }
            lib = results["libneuroml"]
            names = {
                "libneuroml": "libNeuroML read_neuroml2_file",
                "gd-document": "geppetto-dev read_document",
                "gd-model": "geppetto-dev document + Geppetto model",
            }
            for side, r in results.items():
                ratio = "" if side == "libneuroml" else f"{lib['best'] / r['best']:.1f}x time"
                if side != "libneuroml" and r["peak_mb"] > 0:
                    ratio += f", {lib['peak_mb'] / r['peak_mb']:.1f}x memory"
                print(
                    f"| {label} ({size:.1f} MB) | {names[side]} | {r['best'] * 1000:.0f} ms "
                    f"| {r['peak_mb']:.0f} MB | {ratio} |"
                )


if __name__ == "__main__":
    main()
