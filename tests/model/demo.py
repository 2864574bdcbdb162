"""The demo model the tests share: every kind of node and value the clients read."""

from __future__ import annotations

from geppetto_dev import model as gm


def build() -> gm.GeppettoModel:
    m = gm.GeppettoModel("demo", name="Demo")
    lib = m.add_library("demo", name="Demo library")
    morph = lib.add(
        gm.CompositeVisualType(
            "morphology",
            variables=[
                gm.sphere("soma", radius=5.0, position=(0, 0, 0)),
                gm.cylinder("dend0", bottom_radius=1, top_radius=2, distal=(0, 50, 0)),
                gm.particles("cloud", [(1, 2, 3), (4, 5, 6)]),
            ],
        )
    )
    cell = lib.add(
        gm.CompositeType(
            "cell",
            name="Cell",
            variables=[
                gm.state_variable("v", gm.time_series([-65.0, -64.5, -60.0], unit="mV")),
                gm.parameter("gnabar", 0.12, unit="S/cm2"),
                gm.text("about", "a cell"),
            ],
            visual_type=morph,
        )
    )
    pop = lib.add(gm.ArrayType("pop", cell, positions=[(0, 0, 0), (100, 0, 0), (200, 0, 0)]))
    lazy = lib.add(gm.ImportType("lazy_t", url="lazy://t", autoresolve=False))
    net = lib.add(
        gm.CompositeType("net", variables=[gm.Variable("pop", pop), gm.Variable("lazy", lazy)])
    )
    m.add_variable(gm.Variable("net", net))
    m.state_variable("v0", gm.time_series([1.0, 2.0], unit="mV"))
    m.parameter("temperature", 6.3, unit="degC")
    m.text_variable("about", "text")
    m.html_variable("info", "<b>hi</b>")
    m.url_variable("home", "https://www.geppetto.org")
    m.ensure_time()
    return m
