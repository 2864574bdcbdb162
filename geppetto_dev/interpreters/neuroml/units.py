"""NeuroML 2 quantities ("-65mV", "10 ms", "0.01 uF_per_cm2") and their SI values.

NeuroML writes every dimensional attribute as a number glued to a unit symbol of
NeuroMLCoreDimensions.xml; simulators and Geppetto's recordings want SI numbers (s, V, S_per_m2).
The unit table below is that file's, so every core unit converts without reading it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = [
    "SI_UNITS",
    "UNITS",
    "QuantityError",
    "Unit",
    "si",
    "si_unit",
    "split_quantity",
]


class QuantityError(ValueError):
    """A quantity whose number or unit cannot be read."""


class Unit(NamedTuple):
    """A NeuroML unit: SI value = (number * scale * 10**power) + offset."""

    dimension: str
    power: int
    scale: float = 1.0
    offset: float = 0.0


# NeuroMLCoreDimensions.xml (NeuroML 2 core types), symbol -> unit.
UNITS: dict[str, Unit] = {
    "s": Unit("time", 0, 1.0, 0.0),
    "per_s": Unit("per_time", 0, 1.0, 0.0),
    "Hz": Unit("per_time", 0, 1.0, 0.0),
    "ms": Unit("time", -3, 1.0, 0.0),
    "per_ms": Unit("per_time", 3, 1.0, 0.0),
    "min": Unit("time", 0, 60.0, 0.0),
    "per_min": Unit("per_time", 0, 0.01666666667, 0.0),
    "hour": Unit("time", 0, 3600.0, 0.0),
    "per_hour": Unit("per_time", 0, 0.00027777777778, 0.0),
    "m": Unit("length", 0, 1.0, 0.0),
    "cm": Unit("length", -2, 1.0, 0.0),
    "um": Unit("length", -6, 1.0, 0.0),
    "m2": Unit("area", 0, 1.0, 0.0),
    "cm2": Unit("area", -4, 1.0, 0.0),
    "um2": Unit("area", -12, 1.0, 0.0),
    "m3": Unit("volume", 0, 1.0, 0.0),
    "cm3": Unit("volume", -6, 1.0, 0.0),
    "litre": Unit("volume", -3, 1.0, 0.0),
    "um3": Unit("volume", -18, 1.0, 0.0),
    "V": Unit("voltage", 0, 1.0, 0.0),
    "mV": Unit("voltage", -3, 1.0, 0.0),
    "per_V": Unit("per_voltage", 0, 1.0, 0.0),
    "per_mV": Unit("per_voltage", 3, 1.0, 0.0),
    "ohm": Unit("resistance", 0, 1.0, 0.0),
    "kohm": Unit("resistance", 3, 1.0, 0.0),
    "Mohm": Unit("resistance", 6, 1.0, 0.0),
    "S": Unit("conductance", 0, 1.0, 0.0),
    "mS": Unit("conductance", -3, 1.0, 0.0),
    "uS": Unit("conductance", -6, 1.0, 0.0),
    "nS": Unit("conductance", -9, 1.0, 0.0),
    "pS": Unit("conductance", -12, 1.0, 0.0),
    "S_per_m2": Unit("conductanceDensity", 0, 1.0, 0.0),
    "mS_per_cm2": Unit("conductanceDensity", 1, 1.0, 0.0),
    "S_per_cm2": Unit("conductanceDensity", 4, 1.0, 0.0),
    "uS_per_cm2": Unit("conductanceDensity", -2, 1.0, 0.0),
    "F": Unit("capacitance", 0, 1.0, 0.0),
    "uF": Unit("capacitance", -6, 1.0, 0.0),
    "nF": Unit("capacitance", -9, 1.0, 0.0),
    "pF": Unit("capacitance", -12, 1.0, 0.0),
    "F_per_m2": Unit("specificCapacitance", 0, 1.0, 0.0),
    "uF_per_cm2": Unit("specificCapacitance", -2, 1.0, 0.0),
    "ohm_m": Unit("resistivity", 0, 1.0, 0.0),
    "kohm_cm": Unit("resistivity", 1, 1.0, 0.0),
    "ohm_cm": Unit("resistivity", -2, 1.0, 0.0),
    "C": Unit("charge", 0, 1.0, 0.0),
    "e": Unit("charge", 0, 1.602176634e-19, 0.0),
    "C_per_mol": Unit("charge_per_mole", 0, 1.0, 0.0),
    "nA_ms_per_amol": Unit("charge_per_mole", 6, 1.0, 0.0),
    "pC_per_umol": Unit("charge_per_mole", -6, 1.0, 0.0),
    "A": Unit("current", 0, 1.0, 0.0),
    "uA": Unit("current", -6, 1.0, 0.0),
    "nA": Unit("current", -9, 1.0, 0.0),
    "pA": Unit("current", -12, 1.0, 0.0),
    "A_per_m2": Unit("currentDensity", 0, 1.0, 0.0),
    "uA_per_cm2": Unit("currentDensity", -2, 1.0, 0.0),
    "mA_per_cm2": Unit("currentDensity", 1, 1.0, 0.0),
    "mol_per_m3": Unit("concentration", 0, 1.0, 0.0),
    "mol_per_cm3": Unit("concentration", 6, 1.0, 0.0),
    "M": Unit("concentration", 3, 1.0, 0.0),
    "mM": Unit("concentration", 0, 1.0, 0.0),
    "mol": Unit("substance", 0, 1.0, 0.0),
    "m_per_s": Unit("permeability", 0, 1.0, 0.0),
    "cm_per_s": Unit("permeability", -2, 1.0, 0.0),
    "um_per_ms": Unit("permeability", -3, 1.0, 0.0),
    "cm_per_ms": Unit("permeability", 1, 1.0, 0.0),
    "degC": Unit("temperature", 0, 1.0, 273.15),
    "K": Unit("temperature", 0, 1.0, 0.0),
    "J_per_K_per_mol": Unit("idealGasConstantDims", 0, 1.0, 0.0),
    "fJ_per_K_per_umol": Unit("idealGasConstantDims", -9, 1.0, 0.0),
    "S_per_V": Unit("conductance_per_voltage", 0, 1.0, 0.0),
    "nS_per_mV": Unit("conductance_per_voltage", -6, 1.0, 0.0),
    "mol_per_m_per_A_per_s": Unit("rho_factor", 0, 1.0, 0.0),
    "mol_per_cm_per_uA_per_ms": Unit("rho_factor", 11, 1.0, 0.0),
    "umol_per_cm_per_nA_per_ms": Unit("rho_factor", 8, 1.0, 0.0),
}

# The SI unit Geppetto shows for each dimension (what Java's Utils.getSIUnitInNeuroML gave);
# "none" (dimensionless) is the empty string, as Java wrote it.
SI_UNITS: dict[str, str] = {
    "none": "",
    "time": "s",
    "per_time": "per_s",
    "voltage": "V",
    "per_voltage": "per_V",
    "conductance": "S",
    "conductanceDensity": "S_per_m2",
    "capacitance": "F",
    "specificCapacitance": "F_per_m2",
    "resistance": "ohm",
    "resistivity": "ohm_m",
    "charge": "C",
    "charge_per_mole": "C_per_mol",
    "current": "A",
    "currentDensity": "A_per_m2",
    "length": "m",
    "area": "m2",
    "volume": "m3",
    "concentration": "mol_per_m3",
    "substance": "mol",
    "permeability": "m_per_s",
    "temperature": "K",
    "idealGasConstantDims": "J_per_K_per_mol",
    "conductance_per_voltage": "S_per_V",
    "rho_factor": "mol_per_m_per_A_per_s",
}

_QUANTITY = re.compile(
    r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z_][A-Za-z0-9_]*)?\s*"
)


def _match(text: str) -> re.Match[str]:
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise QuantityError(f"not a NeuroML quantity: {text!r} (a number and a unit, e.g. -65mV)")
    return match


def split_quantity(text: str) -> tuple[float, str]:
    """ "-65mV" -> (-65.0, "mV"); "0.5" -> (0.5, ""). The unit is returned as written."""
    match = _match(text)
    return float(match.group(1)), match.group(2) or ""


def si(text: str, dimension: str | None = None) -> float:
    """The SI value of a NeuroML quantity: "-65mV" -> -0.065, "10 ms" -> 0.01.

    A bare number is taken as already SI (NeuroML's dimensionless parameters). With
    `dimension`, a unit of another dimension is refused (a time where a voltage is due).
    """
    match = _match(text)
    number, symbol = match.group(1), match.group(2)
    if not symbol:
        return float(number)
    unit = UNITS.get(symbol)
    if unit is None:
        raise QuantityError(f"unknown NeuroML unit {symbol!r} in {text!r}")
    if dimension is not None and unit.dimension != dimension:
        raise QuantityError(f"{text!r} is a {unit.dimension}, not a {dimension}")
    # Shift the decimal exponent in the text: "17.8e-6" reads as the double nearest 17.8 um,
    # which 17.8 / 10**6 is not.
    mantissa, _, exponent = number.lower().partition("e")
    value = float(f"{mantissa}e{int(exponent or 0) + unit.power}")
    if unit.scale != 1.0:
        value *= unit.scale
    return value + unit.offset


def si_unit(dimension: str) -> str:
    """The SI symbol of a dimension ("voltage" -> "V"); unknown dimensions give ""."""
    return SI_UNITS.get(dimension, "")
