"""NeuroML's rate forms, as written in NeuroML2CoreTypes/Channels.xml, against the KSChan
functions they are mapped to: first our evaluation, then NEURON's own (when installed)."""

from __future__ import annotations

import math

import pytest

from geppetto_dev.simulators.neuron import kinetics
from geppetto_dev.simulators.neuron.channels import Channel, define
from tests.simulators.requirements import missing_module, need

VOLTAGES = [-100.0, -65.0, -40.0000001, -40.0, -39.9999, -10.0, 0.0, 35.0]


def nml_exp(rate: float, mid: float, scale: float, v: float) -> float:
    return rate * math.exp((v - mid) / scale)


def nml_sigmoid(rate: float, mid: float, scale: float, v: float) -> float:
    return rate / (1 + math.exp((mid - v) / scale))


def nml_exp_linear(rate: float, mid: float, scale: float, v: float) -> float:
    x = (v - mid) / scale
    return rate if x == 0 else rate * x / (1 - math.exp(-x))


CASES = [
    (kinetics.exp_rate, nml_exp, (4.0, -65.0, -18.0)),
    (kinetics.sigmoid_rate, nml_sigmoid, (1.0, -35.0, 10.0)),
    (kinetics.exp_linear_rate, nml_exp_linear, (1.0, -40.0, 10.0)),
    (kinetics.exp_linear_rate, nml_exp_linear, (0.1, -55.0, 10.0)),
]


@pytest.mark.parametrize(("form", "formula", "params"), CASES)
def test_each_form_is_neuromls_formula(form, formula, params) -> None:  # type: ignore[no-untyped-def]
    rate = form(*params)
    for v in VOLTAGES:
        assert rate.value(v) == pytest.approx(formula(*params, v), rel=1e-6)


def test_q10_scales_rates_up_and_time_constants_down() -> None:
    alpha, beta = kinetics.exp_rate(1.0, 0.0, 10.0), kinetics.exp_rate(2.0, 0.0, -10.0)
    gate = kinetics.Gate.from_rates("m", 3, alpha, beta, q10=3.0)
    assert isinstance(gate.f0, kinetics.Rate) and gate.f0.value(5.0) == 3.0 * alpha.value(5.0)
    tau = kinetics.Rate(kinetics.CONSTANT, (2.0,))
    inf = kinetics.sigmoid_rate(1.0, -40.0, 5.0)
    gate = kinetics.Gate.from_inf_tau("h", 1, inf, tau, q10=2.0)
    assert isinstance(gate.f1, kinetics.Rate) and gate.f1.value(0.0) == 1.0 and gate.inf_tau


def test_rates_inf_tabulates_the_time_constant() -> None:
    alpha, beta = kinetics.exp_linear_rate(1.0, -40.0, 10.0), kinetics.exp_rate(4.0, -65.0, -18.0)
    inf = kinetics.sigmoid_rate(1.0, -40.0, 9.0)
    gate = kinetics.Gate.from_rates_inf("m", 3, alpha, beta, inf, q10=2.0)
    table = gate.f1
    assert isinstance(table, kinetics.Table)
    i = round((-30.0 - table.vmin) / kinetics.TABLE_STEP)
    assert table.values[i] == pytest.approx(1 / (2 * (alpha.value(-30.0) + beta.value(-30.0))))


def test_neuron_computes_the_same_rates() -> None:
    need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))
    from neuron import h

    alpha, beta = kinetics.exp_linear_rate(1.0, -40.0, 10.0), kinetics.exp_rate(4.0, -65.0, -18.0)
    ks = define(h, Channel("nml_test_rates", [kinetics.Gate.from_rates("m", 3, alpha, beta)]))
    transition = ks.trans(0)
    v, a, b = h.Vector(VOLTAGES), h.Vector(), h.Vector()
    transition.ab(v, a, b)
    assert list(a) == pytest.approx([nml_exp_linear(1.0, -40.0, 10.0, x) for x in VOLTAGES])
    assert list(b) == pytest.approx([nml_exp(4.0, -65.0, -18.0, x) for x in VOLTAGES])
