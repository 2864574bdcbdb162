"""NeuroML's Hodgkin-Huxley gate forms as NEURON kinetic-scheme functions, in NEURON's units.

NEURON's channel builder (`h.KSChan`) defines a channel at run time from rate functions of
the membrane potential: constant (1), exponential (2), linoid (3), sigmoid (4), or a table
(7). NeuroML's common forms are exactly the first four, so a NeuroML HH channel runs with no
`.mod` file, no compiler and no Java; a combination that is not one of them (the time constant
1/(alpha+beta) of a `gateHHratesInf`) becomes a fine table of the exact function.

Everything here is in NEURON's units (mV, ms, per ms); `Rate.value(v)` evaluates a form the
same way NEURON does, which is also how a table is filled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "CONSTANT",
    "EXP",
    "LINOID",
    "SIGMOID",
    "TABLE",
    "Gate",
    "Rate",
    "Table",
    "exp_linear_rate",
    "exp_rate",
    "params_of",
    "sigmoid_rate",
    "tabulate",
]

CONSTANT, EXP, LINOID, SIGMOID, TABLE = 1, 2, 3, 4, 7

# Table range and resolution (mV): wide enough for any membrane potential a cell reaches, fine
# enough that linear interpolation is far below the simulation's own error.
TABLE_VMIN, TABLE_VMAX, TABLE_STEP = -200.0, 150.0, 0.01


def _exp(x: float) -> float:
    return math.exp(max(-700.0, min(700.0, x)))


@dataclass(frozen=True)
class Rate:
    """One KSChan function: `kind` and its parameters c0, c1, c2 (NEURON's formulas)."""

    kind: int
    params: tuple[float, ...]

    def value(self, v: float) -> float:
        c = self.params
        if self.kind == CONSTANT:
            return c[0]
        if self.kind == EXP:
            return c[0] * _exp(c[1] * (v - c[2]))
        if self.kind == LINOID:
            x = c[1] * (v - c[2])
            return c[0] * x / (1 - _exp(-x)) if abs(x) > 1e-6 else c[0] * (1 + x / 2)
        if self.kind == SIGMOID:
            return c[0] / (1 + _exp(c[1] * (v - c[2])))
        raise ValueError(f"no formula for KSChan function type {self.kind}")

    def scaled(self, factor: float) -> Rate:
        """The same shape times `factor` (c0 is the amplitude of every form)."""
        return Rate(self.kind, (self.params[0] * factor, *self.params[1:]))


@dataclass(frozen=True)
class Table:
    """Values of a function of v on an even grid from vmin to vmax (mV)."""

    values: tuple[float, ...]
    vmin: float
    vmax: float


Function = Rate | Table


def exp_rate(rate: float, midpoint: float, scale: float) -> Rate:
    """NeuroML HHExpRate / HHExpVariable: rate * exp((v - midpoint) / scale)."""
    return Rate(EXP, (rate, 1.0 / scale, midpoint))


def sigmoid_rate(rate: float, midpoint: float, scale: float) -> Rate:
    """HHSigmoidRate / HHSigmoidVariable: rate / (1 + exp((midpoint - v) / scale))."""
    return Rate(SIGMOID, (rate, -1.0 / scale, midpoint))


def exp_linear_rate(rate: float, midpoint: float, scale: float) -> Rate:
    """HHExpLinearRate / HHExpLinearVariable: rate * x / (1 - exp(-x)), x = (v - midpoint) /
    scale."""
    return Rate(LINOID, (rate, 1.0 / scale, midpoint))


def tabulate(function: Callable[[float], float]) -> Table:
    count = round((TABLE_VMAX - TABLE_VMIN) / TABLE_STEP) + 1
    values = tuple(function(TABLE_VMIN + i * TABLE_STEP) for i in range(count))
    return Table(values, TABLE_VMIN, TABLE_VMAX)


@dataclass(frozen=True)
class Gate:
    """An HH gate as KSChan takes it: `rates` (f0 = alpha, f1 = beta) or inf/tau (f0 = the
    steady state, f1 = the time constant in ms), raised to `power`."""

    id: str
    power: int
    f0: Function
    f1: Function
    inf_tau: bool = False

    @classmethod
    def from_rates(cls, id: str, power: int, alpha: Rate, beta: Rate, q10: float = 1.0) -> Gate:
        return cls(id, power, alpha.scaled(q10), beta.scaled(q10))

    @classmethod
    def from_inf_tau(
        cls,
        id: str,
        power: int,
        inf: Function | Callable[[float], float],
        tau: Function | Callable[[float], float],
        q10: float = 1.0,
    ) -> Gate:
        """A steady state and a time constant, each a form or any function of v (tabulated)."""
        inf_f = inf if isinstance(inf, Rate | Table) else tabulate(inf)
        if isinstance(tau, Rate):
            tau_f: Function = tau.scaled(1.0 / q10)
        elif isinstance(tau, Table):
            tau_f = Table(tuple(t / q10 for t in tau.values), tau.vmin, tau.vmax)
        else:
            tau_f = tabulate(lambda v: tau(v) / q10)
        return cls(id, power, inf_f, tau_f, inf_tau=True)

    @classmethod
    def from_rates_inf(
        cls, id: str, power: int, alpha: Rate, beta: Rate, inf: Rate, q10: float = 1.0
    ) -> Gate:
        """gateHHratesInf: tau = 1 / (q10 * (alpha + beta)), the steady state given."""
        return cls.from_inf_tau(
            id, power, inf, lambda v: 1.0 / (alpha.value(v) + beta.value(v)), q10
        )

    @classmethod
    def from_rates_tau(
        cls, id: str, power: int, alpha: Rate, beta: Rate, tau: Rate, q10: float = 1.0
    ) -> Gate:
        """gateHHratesTau: inf = alpha / (alpha + beta), the time constant given."""

        def inf(v: float) -> float:
            a = alpha.value(v)
            return a / (a + beta.value(v))

        return cls.from_inf_tau(id, power, inf, tau, q10)


def params_of(function: Function) -> tuple[int, Sequence[float], float, float]:
    """(KSChan type, parameters, vmin, vmax) for `KSTrans.set_f`."""
    if isinstance(function, Table):
        return TABLE, function.values, function.vmin, function.vmax
    return function.kind, function.params, 0.0, 0.0
