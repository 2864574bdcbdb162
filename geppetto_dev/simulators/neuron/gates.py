"""NeuroML ion channels read into `channels.Channel`s, or an error naming what cannot run.

The forms handled are NeuroML's standard ones: rates HHExpRate, HHSigmoidRate,
HHExpLinearRate; steady states HHSigmoidVariable, HHExpVariable, HHExpLinearVariable; time
courses fixedTimeCourse or a rate form; gates gateHHrates, gateHHtauInf, gateHHratesInf,
gateHHratesTau; q10 by q10ExpTemp or q10Fixed. A channel using anything else (a custom
LEMS ComponentType, a kinetic scheme, a fractional gate) raises `UnsupportedChannel`.
"""

from __future__ import annotations

from collections.abc import Callable

from geppetto_dev.interpreters.neuroml import units
from geppetto_dev.interpreters.neuroml.document import Component, Gate, IonChannel
from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.simulators.neuron import kinetics
from geppetto_dev.simulators.neuron.channels import Channel

__all__ = ["UnsupportedChannel", "channel_of", "mechanism_name"]

_RATES: dict[str, Callable[[float, float, float], kinetics.Rate]] = {
    "HHExpRate": kinetics.exp_rate,
    "HHSigmoidRate": kinetics.sigmoid_rate,
    "HHExpLinearRate": kinetics.exp_linear_rate,
}
_VARIABLES: dict[str, Callable[[float, float, float], kinetics.Rate]] = {
    "HHExpVariable": kinetics.exp_rate,
    "HHSigmoidVariable": kinetics.sigmoid_rate,
    "HHExpLinearVariable": kinetics.exp_linear_rate,
}
_PASSIVE = {"ionChannelPassive"}
_HH = {"ionChannelHH", "ionChannel"}


class UnsupportedChannel(SimulationError):
    """A channel this NEURON builder cannot express; `channel` is its NeuroML id."""

    def __init__(self, channel: str, why: str) -> None:
        super().__init__(
            f"ion channel {channel!r}: {why}",
            "NEURON runs NeuroML's standard HH gate forms without a compiler; for other "
            "channels install Java and a C compiler (jNeuroML's NEURON export), or use the "
            "jneuromlSimulator",
        )
        self.channel = channel

    def __reduce__(self) -> tuple[type[UnsupportedChannel], tuple[str, str]]:
        return (type(self), (self.channel, self.message.split(": ", 1)[1]))


def mechanism_name(channel_id: str) -> str:
    """A NEURON mechanism name for a channel id (prefixed: never clashes with `hh`, `pas`)."""
    return "nml_" + "".join(c if c.isalnum() else "_" for c in channel_id)


def _number(component: Component, name: str, dimension: str | None, scale: float) -> float:
    text = component.get(name)
    if text is None:
        raise KeyError(name)
    return units.si(text, dimension) * scale


def _form(
    component: Component,
    forms: dict[str, Callable[[float, float, float], kinetics.Rate]],
    *,
    rate_scale: float,
) -> kinetics.Rate | None:
    """A standard form in NEURON units (rates per ms, potentials in mV), or None."""
    make = forms.get(component.type)
    if make is None:
        return None
    return make(
        _number(component, "rate", None, rate_scale),
        _number(component, "midpoint", "voltage", 1e3),
        _number(component, "scale", "voltage", 1e3),
    )


def _rate(channel: str, gate: Gate, component: Component | None, role: str) -> kinetics.Rate:
    if component is None:
        raise UnsupportedChannel(channel, f"gate {gate.id!r} ({gate.type}) has no {role}")
    if role in ("steadyState",):
        form = _form(component, _VARIABLES, rate_scale=1.0)
    elif role == "timeCourse":
        if component.type == "fixedTimeCourse":
            return kinetics.Rate(kinetics.CONSTANT, (_number(component, "tau", "time", 1e3),))
        # A time constant in a rate's shape: its "rate" is a time (NeuroML writes e.g. "1ms").
        form = _form(component, _RATES, rate_scale=1e3)
    else:
        form = _form(component, _RATES, rate_scale=1e-3)
    if form is None:
        raise UnsupportedChannel(
            channel,
            f"gate {gate.id!r}: the {role} of type {component.type!r} is not a "
            "standard NeuroML form",
        )
    return form


def _q10(channel: str, gate: Gate, temperature: float | None) -> float:
    settings = gate.q10_settings
    if settings is None:
        return 1.0
    if settings.type == "q10Fixed":
        return float(settings.get("fixedQ10") or 1.0)
    if settings.type == "q10ExpTemp":
        if temperature is None:
            raise UnsupportedChannel(
                channel,
                "its q10 depends on the temperature, and the network gives none "
                "(use a networkWithTemperature)",
            )
        factor = float(settings.get("q10Factor") or 1.0)
        experimental = units.si(settings.get("experimentalTemp") or "0K", "temperature")
        return float(factor ** ((temperature - experimental) / 10.0))
    raise UnsupportedChannel(channel, f"gate {gate.id!r}: q10 settings {settings.type!r}")


def _gate(channel: str, gate: Gate, temperature: float | None) -> kinetics.Gate:
    q10 = _q10(channel, gate, temperature)
    power = gate.instances
    if gate.type in ("gateHHrates", "gate"):
        alpha = _rate(channel, gate, gate.forward_rate, "forwardRate")
        beta = _rate(channel, gate, gate.reverse_rate, "reverseRate")
        return kinetics.Gate.from_rates(gate.id, power, alpha, beta, q10)
    if gate.type == "gateHHtauInf":
        inf = _rate(channel, gate, gate.steady_state, "steadyState")
        tau = _rate(channel, gate, gate.time_course, "timeCourse")
        return kinetics.Gate.from_inf_tau(gate.id, power, inf, tau, q10)
    if gate.type == "gateHHratesInf":
        alpha = _rate(channel, gate, gate.forward_rate, "forwardRate")
        beta = _rate(channel, gate, gate.reverse_rate, "reverseRate")
        inf = _rate(channel, gate, gate.steady_state, "steadyState")
        return kinetics.Gate.from_rates_inf(gate.id, power, alpha, beta, inf, q10)
    if gate.type == "gateHHratesTau":
        alpha = _rate(channel, gate, gate.forward_rate, "forwardRate")
        beta = _rate(channel, gate, gate.reverse_rate, "reverseRate")
        tau = _rate(channel, gate, gate.time_course, "timeCourse")
        return kinetics.Gate.from_rates_tau(gate.id, power, alpha, beta, tau, q10)
    raise UnsupportedChannel(channel, f"gate {gate.id!r} is a {gate.type}")


def channel_of(ion_channel: IonChannel, temperature: float | None = None) -> Channel:
    """The KSChan description of a NeuroML channel; `temperature` in kelvin (for q10)."""
    name = mechanism_name(ion_channel.id)
    if ion_channel.type in _PASSIVE or (ion_channel.type in _HH and not ion_channel.gates):
        return Channel(name)
    if ion_channel.type not in _HH:
        raise UnsupportedChannel(ion_channel.id, f"it is an {ion_channel.type}")
    try:
        gates = [_gate(ion_channel.id, g, temperature) for g in ion_channel.gates]
    except (KeyError, ValueError) as exc:
        raise UnsupportedChannel(ion_channel.id, f"cannot read a gate: {exc}") from None
    return Channel(name, gates)
