"""How a NeuroML channel is present in NEURON: its mechanism name and how to set and read it.

A channel is either defined at run time with KSChan (`kind="ks"`, non-specific, range
variables `gmax_<name>` and `e_<name>`, gate states `<gate>`) or compiled from jNeuroML's
NEURON export (`kind="mod"`, `gmax_<name>`, the reversal potential `e<ion>` of its ion or
`e_<name>` when non-specific, gate states `<gate>_q`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Mechanism", "insert_density"]


@dataclass(frozen=True)
class Mechanism:
    name: str
    kind: str = "ks"  # "ks" | "mod"
    ion: str | None = None  # a compiled channel's ion (None: non-specific)

    def gate_state(self, gate: str) -> str:
        """The range variable holding a gate's state."""
        return gate if self.kind == "ks" else f"{gate}_q"


def insert_density(sec: Any, mechanism: Mechanism, g: float, erev: float) -> None:
    """Insert `mechanism` in `sec` with conductance density `g` (S/cm2), reversal `erev` (mV)."""
    sec.insert(mechanism.name)
    for x in sec:
        gmax = f"gmax_{mechanism.name}"
        setattr(x, gmax, getattr(x, gmax) + g)
        if mechanism.ion is None:
            setattr(x, f"e_{mechanism.name}", erev)
    if mechanism.ion is not None:
        setattr(sec, f"e{mechanism.ion}", erev)
