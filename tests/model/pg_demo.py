"""tests.model.demo's model built with pygeppetto 0.9.1, the way its apps build models."""

from __future__ import annotations

from typing import Any


def build() -> Any:
    from pygeppetto.model import GeppettoLibrary
    from pygeppetto.model.model_factory import GeppettoModelFactory
    from pygeppetto.model.types import ArrayType, CompositeType, CompositeVisualType, ImportType
    from pygeppetto.model.values import ArrayElement, ArrayValue, PhysicalQuantity, Point, Unit
    from pygeppetto.model.variables import Variable

    def pt(x: float, y: float, z: float) -> Any:
        return Point(x=float(x), y=float(y), z=float(z))

    m = GeppettoModelFactory.createGeppettoModel("Demo")
    m.id = "demo"
    f = GeppettoModelFactory(m.libraries[0])  # NetPyNE-UI: the model's own common library
    lib = GeppettoLibrary(id="demo", name="Demo library")
    m.libraries.append(lib)
    morph = CompositeVisualType(id="morphology", name="morphology")
    morph.variables.append(f.create_sphere("soma", radius=5.0, position=pt(0, 0, 0)))
    morph.variables[-1].name = "soma"  # create_sphere leaves the name unset
    morph.variables.append(
        f.create_cylinder("dend0", 1.0, 2.0, position=pt(0, 0, 0), distal=pt(0, 50, 0))
    )
    morph.variables.append(f.create_particles_variable("cloud", [pt(1, 2, 3), pt(4, 5, 6)]))
    lib.types.append(morph)
    cell = CompositeType(id="cell", name="Cell", visualType=morph)
    cell.variables.append(
        f.create_state_variable("v", f.create_time_series([-65.0, -64.5, -60.0], "mV"))
    )
    cell.variables.append(
        f.create_parameter_variable("gnabar", PhysicalQuantity(value=0.12, unit=Unit("S/cm2")))
    )
    cell.variables.append(f.create_text_variable("about", "a cell"))
    lib.types.append(cell)
    elements = [ArrayElement(index=i, position=pt(100 * i, 0, 0)) for i in range(3)]
    pop = ArrayType(
        id="pop", name="pop", size=3, arrayType=cell, defaultValue=ArrayValue(elements=elements)
    )
    lib.types.append(pop)
    lazy = ImportType(id="lazy_t", name="lazy_t", url="lazy://t", autoresolve=False)
    lib.types.append(lazy)
    net = CompositeType(id="net", name="net")
    net.variables.append(Variable(id="pop", name="pop", types=[pop]))
    net.variables.append(Variable(id="lazy", name="lazy", types=[lazy]))
    lib.types.append(net)
    m.variables.append(Variable(id="net", name="net", types=[net]))
    m.variables.append(f.create_time_series_variable("v0", [1.0, 2.0], "mV"))
    m.variables.append(
        f.create_parameter_variable("temperature", PhysicalQuantity(value=6.3, unit=Unit("degC")))
    )
    m.variables.append(f.create_text_variable("about", "text"))
    m.variables.append(f.create_html_variable("info", "<b>hi</b>"))
    m.variables.append(f.create_url_variable("home", "https://www.geppetto.org"))
    m.variables.append(f.create_state_variable("time", PhysicalQuantity(unit=Unit("s"))))
    return m
