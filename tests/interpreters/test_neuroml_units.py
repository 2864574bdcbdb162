"""NeuroML quantities to SI: the units of NeuroMLCoreDimensions.xml, read exactly."""

from __future__ import annotations

import pytest

from geppetto_dev.interpreters.neuroml.units import QuantityError, si, si_unit, split_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-65mV", -0.065),
        ("10 ms", 0.01),
        ("0.01 uF_per_cm2", 0.0001),
        ("1.0 uF_per_cm2", 0.01),
        ("3nS", 3e-9),
        (".3nS", 3e-10),
        ("17.8um", 1.78e-5),
        ("120.0 mS_per_cm2", 1200.0),
        ("0.03 kohm_cm", 0.3),
        ("1e-3s", 0.001),
        ("3e-5s", 3e-5),
        ("1E+2 ms", 0.1),
        ("0.08nA", 8e-11),
        ("1per_ms", 1000.0),
        ("1.2mM", 1.2),
        ("6.3 degC", 279.45),
        ("0.7 nS_per_mV", 7e-7),
        ("2", 2.0),
        (" -0.5 ", -0.5),
    ],
)
def test_quantities_read_to_the_nearest_double(text: str, expected: float) -> None:
    assert si(text) == expected


def test_the_unit_is_kept_as_written() -> None:
    assert split_quantity("-65mV") == (-65.0, "mV")
    assert split_quantity("120.0 mS_per_cm2") == (120.0, "mS_per_cm2")
    assert split_quantity("4") == (4.0, "")


@pytest.mark.parametrize("text", ["", "mV", "--3mV", "3 m V", "1,5mV"])
def test_not_a_quantity(text: str) -> None:
    with pytest.raises(QuantityError, match="not a NeuroML quantity"):
        si(text)


def test_unknown_unit_and_wrong_dimension() -> None:
    with pytest.raises(QuantityError, match="unknown NeuroML unit 'furlong'"):
        si("3 furlong")
    with pytest.raises(QuantityError, match="is a time, not a voltage"):
        si("3ms", "voltage")
    assert si("3mV", "voltage") == 0.003


def test_si_symbols() -> None:
    assert (si_unit("voltage"), si_unit("none"), si_unit("time")) == ("V", "", "s")
    assert si_unit("conductanceDensity") == "S_per_m2"
