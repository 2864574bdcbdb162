"""Channels defined in NEURON at run time with `h.KSChan`: no .mod file, no compiler.

Every channel is non-specific ohmic (i = g * (v - e)) with its own reversal potential, a range
variable set per section as the NeuroML channel density gives it: two densities of one ion
with different reversal potentials then stay apart, and no ion mechanism is involved.
The channel's range variables are `gmax_<name>` (S/cm2) and `e_<name>` (mV); a gate's state is
`seg.<name>.<gate>` (what a recording of `.../<gate>/q` reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geppetto_dev.simulators.neuron.kinetics import Gate, params_of

__all__ = ["Channel", "define"]


@dataclass(frozen=True)
class Channel:
    """A channel as NEURON will hold it: a mechanism name and its gates (none: a leak)."""

    name: str
    gates: Sequence[Gate] = ()


def define(h: Any, channel: Channel) -> Any:
    """Create the mechanism `channel.name` in this NEURON process; returns the KSChan."""
    ks = h.KSChan(0)
    ks.name(channel.name)
    ks.ion("NonSpecific")
    ks.iv_type(0)
    ks.gmax(0.0)
    for gate in channel.gates:
        state = ks.add_hhstate(gate.id)
        state.gate().power(gate.power)
        transition = ks.trans(state, state)
        transition.type(1 if gate.inf_tau else 0)
        for direction, function in ((0, gate.f0), (1, gate.f1)):
            kind, params, vmin, vmax = params_of(function)
            vector = h.Vector(list(params))
            if vmax > vmin:
                transition.set_f(direction, kind, vector, vmin, vmax)
            else:
                transition.set_f(direction, kind, vector)
    return ks
