from __future__ import annotations

import io
import zipfile

import pytest

from geppetto_dev.model import TimeSeries
from geppetto_dev.simulators import SimulationError
from geppetto_dev.simulators.results import hdf5_recording, raw_recording, write
from tests.simulators.requirements import missing_module, need

GATE = "hhcell.hhpop[0].bioPhys1.membraneProperties.naChans.na.m.q"
RESULTS = {
    "time": TimeSeries([0.0, 5e-5, 1e-4], "s"),
    "hhcell.hhpop[0].v": TimeSeries([-0.065, -0.064, 0.02], "V"),
    GATE: [0.05, 0.06, 0.07],
}


def test_hdf5_is_laid_out_as_javas() -> None:
    need(missing_module("h5py", "pip install 'geppetto-dev[hdf5]'"))
    import h5py

    data = hdf5_recording(RESULTS, {"hhcell": "net1"})
    with h5py.File(io.BytesIO(data), "r") as f:
        names: list[str] = []
        f.visititems(lambda name, obj: names.append(name) if hasattr(obj, "shape") else None)
        assert sorted(names) == sorted(
            [
                "time(StateVariable)",
                "hhcell(net1)/hhpop(hhpop)[0]/v(StateVariable)",
                "hhcell(net1)/hhpop(hhpop)[0]/bioPhys1(bioPhys1)/membraneProperties"
                "(membraneProperties)/naChans(naChans)/na(na)/m(m)/q(StateVariable)",
            ]
        )
        v = f["hhcell(net1)/hhpop(hhpop)[0]/v(StateVariable)"]
        assert v.shape == (3, 1) and v.dtype == "float64"
        assert v[2, 0] == 0.02 and v.attrs["metatype"] == b"StateVariableType"


def test_raw_is_results_and_their_mapping() -> None:
    with zipfile.ZipFile(io.BytesIO(raw_recording(RESULTS))) as z:
        mapping = z.read("outputMapping.dat").decode().splitlines()
        rows = [line.split() for line in z.read("results.dat").decode().splitlines()]
    assert mapping == ["results.dat", f"time(StateVariable) hhcell.hhpop[0].v {GATE}"]
    assert [[float(x) for x in row] for row in rows] == [
        [0.0, -0.065, 0.05],
        [5e-5, -0.064, 0.06],
        [1e-4, 0.02, 0.07],
    ]


def test_series_of_different_lengths_are_refused() -> None:
    with pytest.raises(SimulationError, match="differ in length"):
        raw_recording({"time": [0.0, 1.0], "a.v": [1.0]})


def test_write_names_the_file_and_refuses_unknown_formats() -> None:
    name, data = write(RESULTS, "RAW")
    assert name == "results.zip" and data[:2] == b"PK"
    with pytest.raises(SimulationError, match="no results format 'CSV'"):
        write(RESULTS, "CSV")
