"""Build and serialize Geppetto models: geppetto-dev's model layer vs pygeppetto 0.9.1.

Same models both ways, measured in one run: N cylinders (20 cell types x N/20 cylinders, each
type a CompositeType whose visual type holds its cylinders) and a network of 1,000 cells
(10 populations x 100, an ArrayType with positions per population, the NetPyNE-UI layout).
Each side builds the model and writes the first ``geppetto_model_loaded`` payload (a delta
against nothing: the whole model). Time is measured without tracemalloc, peak memory in a
second run with it. Also: the time to gzip the 10k-cylinder JSON (the server does it off the
event loop for large envelopes).

    python bench/model.py                # 1k and 10k both ways, 100k geppetto-dev only
    python bench/model.py --full         # 100k with pygeppetto too (~90 s for pygeppetto)
    python bench/model.py --sizes 1000 --no-network
"""

from __future__ import annotations

import argparse
import gc
import gzip
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geppetto_dev import model as gm

TYPES = 20
POPULATIONS, CELLS, DENDRITES = 10, 100, 20


def gd_cylinders(n: int) -> str:
    m = gm.GeppettoModel("bench")
    lib = m.add_library("bench")
    for t in range(TYPES):
        morph = gm.CompositeVisualType(
            f"morph{t}",
            variables=[
                gm.cylinder(f"sec{i}", 1.0, 0.5, (i, t, 0), (i + 1, t, 0))
                for i in range(n // TYPES)
            ],
        )
        lib.add(morph)
        cell = lib.add(gm.CompositeType(f"cell{t}", visual_type=morph))
        m.add_variable(gm.Variable(f"cell{t}", cell))
    return gm.to_json(m, gm.SyncState())


def gd_network(_: int) -> str:
    m = gm.GeppettoModel("network")
    lib = m.add_library("netpynelib")
    net = gm.CompositeType("network_netpyne")
    for p in range(POPULATIONS):
        morph = gm.CompositeVisualType(f"morph{p}")
        morph.variables.append(gm.sphere("soma", 8.0))
        for i in range(DENDRITES):
            morph.variables.append(gm.cylinder(f"dend{i}", 1.0, 1.0, (0, i, 0), (0, i + 1, 0)))
        lib.add(morph)
        cell = lib.add(
            gm.CompositeType(f"cell{p}", variables=[gm.state_variable("v")], visual_type=morph)
        )
        positions = [(100.0 * c, 100.0 * p, 0.0) for c in range(CELLS)]
        pop = lib.add(gm.ArrayType(f"pop{p}", cell, positions=positions))
        net.variables.append(gm.Variable(f"pop{p}", pop))
    lib.add(net)
    m.add_variable(gm.Variable("network", net))
    return gm.to_json(m, gm.SyncState())


def _pg() -> Any:
    from pygeppetto.model import GeppettoLibrary, types, values, variables
    from pygeppetto.model.model_factory import GeppettoModelFactory
    from pygeppetto.model.model_serializer import GeppettoSerializer

    return GeppettoLibrary, types, values, variables, GeppettoModelFactory, GeppettoSerializer


def pg_cylinders(n: int) -> str:
    GeppettoLibrary, types, values, variables, Factory, Serializer = _pg()
    Point = values.Point
    m = Factory.createGeppettoModel("bench")
    f = Factory(m.libraries[0])
    lib = GeppettoLibrary(id="bench", name="bench")
    m.libraries.append(lib)
    for t in range(TYPES):
        morph = types.CompositeVisualType(id=f"morph{t}", name=f"morph{t}")
        for i in range(n // TYPES):
            morph.variables.append(
                f.create_cylinder(
                    f"sec{i}", 1.0, 0.5, Point(x=float(i), y=float(t), z=0.0),
                    Point(x=float(i + 1), y=float(t), z=0.0),
                )
            )  # fmt: skip
        lib.types.append(morph)
        cell = types.CompositeType(id=f"cell{t}", name=f"cell{t}", visualType=morph)
        lib.types.append(cell)
        m.variables.append(variables.Variable(id=f"cell{t}", name=f"cell{t}", types=[cell]))
    return str(Serializer.serialize(m, True))


def pg_network(_: int) -> str:
    GeppettoLibrary, types, values, variables, Factory, Serializer = _pg()
    Point = values.Point
    m = Factory.createGeppettoModel("network")
    f = Factory(m.libraries[0])
    lib = GeppettoLibrary(id="netpynelib", name="netpynelib")
    m.libraries.append(lib)
    net = types.CompositeType(id="network_netpyne", name="network_netpyne")
    for p in range(POPULATIONS):
        morph = types.CompositeVisualType(id=f"morph{p}", name=f"morph{p}")
        morph.variables.append(f.create_sphere("soma", 8.0, Point(x=0.0, y=0.0, z=0.0)))
        for i in range(DENDRITES):
            morph.variables.append(
                f.create_cylinder(
                    f"dend{i}", 1.0, 1.0, Point(x=0.0, y=float(i), z=0.0),
                    Point(x=0.0, y=float(i + 1), z=0.0),
                )
            )  # fmt: skip
        lib.types.append(morph)
        cell = types.CompositeType(id=f"cell{p}", name=f"cell{p}", visualType=morph)
        cell.variables.append(f.create_state_variable("v"))
        lib.types.append(cell)
        elements = [
            values.ArrayElement(index=c, position=Point(x=100.0 * c, y=100.0 * p, z=0.0))
            for c in range(CELLS)
        ]
        pop = types.ArrayType(
            id=f"pop{p}", name=f"pop{p}", size=CELLS, arrayType=cell,
            defaultValue=values.ArrayValue(elements=elements),
        )  # fmt: skip
        lib.types.append(pop)
        net.variables.append(variables.Variable(id=f"pop{p}", name=f"pop{p}", types=[pop]))
    lib.types.append(net)
    m.variables.append(variables.Variable(id="network", name="network", types=[net]))
    return str(Serializer.serialize(m, True))


def measure(fn: Callable[[int], str], n: int) -> tuple[float, float, int, str]:
    """(seconds, peak MB, JSON chars, JSON) of build + serialize."""
    gc.collect()
    t0 = time.perf_counter()
    text = fn(n)
    seconds = time.perf_counter() - t0
    size = len(text)
    del text
    gc.collect()
    tracemalloc.start()
    text = fn(n)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, size, text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--full", action="store_true", help="run pygeppetto at 100k too (slow)")
    ap.add_argument("--no-network", action="store_true")
    ap.add_argument("--no-pygeppetto", action="store_true")
    args = ap.parse_args()
    if not args.no_pygeppetto:
        _pg()  # import cost is not part of the measurement

    cases: list[tuple[str, Callable[[int], str], Callable[[int], str], int]] = [
        (f"{n // 1000}k cylinders", gd_cylinders, pg_cylinders, n) for n in args.sizes
    ]
    if not args.no_network:
        cases.append((f"network {POPULATIONS * CELLS} cells", gd_network, pg_network, 0))
    print(
        "| model | geppetto-dev | pygeppetto | faster | peak MB gd / pg | less memory "
        "| JSON MB gd / pg (indented) |"
    )
    print("|---|---|---|---|---|---|---|")
    gzip_text = ""
    for label, gd, pg, n in cases:
        s, peak, size, text = measure(gd, n)
        if n == 10000:
            gzip_text = text
        del text
        run_pg = not args.no_pygeppetto and (n < 100000 or args.full)
        if run_pg:
            ps, ppeak, psize, ptext = measure(pg, n)
            del ptext
            print(
                f"| {label} | {s * 1000:.0f} ms | {ps * 1000:.0f} ms | {ps / s:.0f}x "
                f"| {peak:.1f} / {ppeak:.1f} | {ppeak / peak:.1f}x "
                f"| {size / 1e6:.2f} / {psize / 1e6:.2f} |"
            )
        else:
            skipped = "(not run)" if args.no_pygeppetto else "(--full)"
            print(
                f"| {label} | {s * 1000:.0f} ms | {skipped} | | {peak:.1f} / - | "
                f"| {size / 1e6:.2f} / - |"
            )
        sys.stdout.flush()
    if gzip_text:
        data = gzip_text.encode()
        t0 = time.perf_counter()
        packed = gzip.compress(data, compresslevel=6)
        gz = time.perf_counter() - t0
        print(
            f"\ngzip (level 6, as the server sends large envelopes) of the 10k-cylinder JSON: "
            f"{len(data) / 1e6:.2f} MB -> {len(packed) / 1e6:.2f} MB in {gz * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
