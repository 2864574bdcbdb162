"""A NeuroML element kept whole: its tag, id, attributes and children.

NeuroML has dozens of simple elements (synapses, inputs, abstract cells, concentration models,
rate forms); rather than a class each, they are this one shape, read by their tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geppetto_dev.interpreters.neuroml import units

__all__ = ["Component"]


@dataclass(slots=True)
class Component:
    """Any NeuroML element by its tag: `<expTwoSynapse id=.. tauRise="3e-5s" .../>`."""

    type: str
    id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attributes.get(name, default)

    def si(self, name: str) -> float:
        """An attribute's SI value ("0.5e-3s" -> 0.0005); KeyError when absent."""
        return units.si(self.attributes[name])

    def child(self, type_: str) -> Component | None:
        return next((c for c in self.children if c.type == type_), None)
