"""Recorded results as the Java server let users download them: pure functions to bytes.

- `GEPPETTO_RECORDING`: an HDF5 file (h5py, `pip install 'geppetto-dev[hdf5]'`). Groups nest
  along the Geppetto path, each level named `id(type id)` and an array element `id(type)[i]`;
  every recorded variable is a float64 dataset of shape (samples, 1), SI values, with the
  attribute `metatype = b"StateVariableType"`; the time axis is `time(StateVariable)`.
- `RAW`: a zip of `results.dat` (whitespace-separated columns, time first) and
  `outputMapping.dat` (the results file's name, then the name of each column), as Java's
  conversion service wrote them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from geppetto_dev.simulators.job import SimulationError

__all__ = ["FORMATS", "hdf5_recording", "raw_recording", "write"]

FORMATS = ("GEPPETTO_RECORDING", "RAW")
TIME = "time"
_ELEMENT = re.compile(r"^(?P<id>[^\[\]]+)(?P<index>\[\d+\])?$")


def _values(series: Any) -> Sequence[float]:
    """A TimeSeries (`.value`) or a plain sequence of floats."""
    values = getattr(series, "value", series)
    if not isinstance(values, Sequence | Iterable):
        raise SimulationError(f"not a series of numbers: {type(series).__name__}", "")
    return list(values)


def _split(results: Mapping[str, Any]) -> tuple[Sequence[float] | None, dict[str, Any]]:
    rest = {path: series for path, series in results.items() if path != TIME}
    time = results.get(TIME)
    return (_values(time) if time is not None else None), rest


def _node(token: str, type_id: str | None, leaf: bool) -> str:
    match = _ELEMENT.match(token)
    if match is None:
        raise SimulationError(f"not a Geppetto path element: {token!r}", "")
    name, index = match.group("id"), match.group("index") or ""
    kind = "StateVariable" if leaf else (type_id or name)
    return f"{name}({kind}){index}"


def hdf5_recording(results: Mapping[str, Any], types: Mapping[str, str] | None = None) -> bytes:
    """The recording as Java's HDF5 file; `types` maps a path prefix (`hhcell`) to the id of
    its type (`net1`) where it is not the element's own id."""
    try:
        import h5py
        import numpy
    except ImportError:
        raise SimulationError(
            "the GEPPETTO_RECORDING format needs h5py", "pip install 'geppetto-dev[hdf5]'"
        ) from None
    types = types or {}
    time, series = _split(results)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        items = ([(TIME, time)] if time is not None else []) + list(series.items())
        for path, values in items:
            tokens = path.split(".")
            names = [
                _node(t, types.get(".".join(tokens[: i + 1])), i == len(tokens) - 1)
                for i, t in enumerate(tokens)
            ]
            data = numpy.asarray(_values(values), dtype="float64").reshape(-1, 1)
            dataset = f.create_dataset("/".join(names), data=data)
            dataset.attrs["metatype"] = numpy.bytes_(b"StateVariableType")
    return buffer.getvalue()


def raw_recording(results: Mapping[str, Any]) -> bytes:
    """The recording as Java's RAW zip: results.dat and outputMapping.dat."""
    time, series = _split(results)
    columns = [time] if time is not None else []
    names = ["time(StateVariable)"] if time is not None else []
    columns += [_values(s) for s in series.values()]
    names += list(series)
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise SimulationError(
            f"the recorded series differ in length ({sorted(lengths)})",
            "record every variable at the same step",
        )
    rows = "".join(
        "\t".join(repr(float(v)) for v in row) + "\n" for row in zip(*columns, strict=True)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("outputMapping.dat", "results.dat\n" + " ".join(names) + "\n")
        z.writestr("results.dat", rows)
    return buffer.getvalue()


def write(
    results: Mapping[str, Any], format: str, types: Mapping[str, str] | None = None
) -> tuple[str, bytes]:
    """(file name, bytes) of the recording in `format`, one of FORMATS."""
    if format == "GEPPETTO_RECORDING":
        return "results.h5", hdf5_recording(results, types)
    if format == "RAW":
        return "results.zip", raw_recording(results)
    raise SimulationError(f"no results format {format!r}", f"choose one of {', '.join(FORMATS)}")
