"""Files in and out of experiments: download an experiment's results; link an upload store
(Java's Dropbox) and upload a model or results to it.

Results are written in the formats Java's `downloadResults` offered (see
`simulators.results`): `GEPPETTO_RECORDING`, an HDF5 file (the `hdf5` extra) sent as is, which
h5py opens; `RAW`, a zip of `results.dat` and `outputMapping.dat`. Uploads go to the
application's upload store (`GeppettoApp(uploads=...)`); their replies carry no requestID, as
Java sent them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geppetto_dev.projects.connection import LoadedProject
from geppetto_dev.projects.conversation import experiment_of, info, loaded_project, obj
from geppetto_dev.projects.records import COMPLETED, ExperimentRecord
from geppetto_dev.projects.services import services_of
from geppetto_dev.projects.uploads import UploadStore, safe_name
from geppetto_dev.protocol.registry import Answer, Reply, handler
from geppetto_dev.protocol.session import Session
from geppetto_dev.simulators.job import SimulationError
from geppetto_dev.simulators.results import FORMATS, write

__all__ = [
    "ERROR_DOWNLOADING_RESULTS",
    "RESULT_FORMATS",
    "download_results",
    "link_dropbox",
    "unlink_dropbox",
    "upload_model",
    "upload_results",
]

ERROR_DOWNLOADING_RESULTS = "error_downloading_results"
RAW = "RAW"
RESULT_FORMATS = FORMATS


def _failed(message: str) -> Answer:
    return Answer(Reply(ERROR_DOWNLOADING_RESULTS, {"message": message}))


def _instance_types(model: Any, results: Mapping[str, Any]) -> dict[str, str]:
    """{instance id: its type id} for the instances the recorded paths start with (the HDF5
    groups are named `hhcell(net1)`)."""
    out: dict[str, str] = {}
    for variable in getattr(model, "variables", ()) or ():
        type_ = getattr(variable, "type", None) or next(iter(getattr(variable, "types", ())), None)
        type_id = getattr(type_, "id", None)
        if isinstance(type_id, str) and any(p.split(".")[0] == variable.id for p in results):
            out[variable.id] = type_id
    return out


def _results_file(loaded: LoadedProject, record: ExperimentRecord, fmt: str) -> tuple[str, bytes]:
    if fmt.upper() not in RESULT_FORMATS:
        raise _failed(f"results are written as {', '.join(RESULT_FORMATS)}, not {fmt!r}")
    if record.status != COMPLETED or record.results is None:
        raise _failed(f"experiment {record.name!r} is {record.status}: no results yet")
    results = dict(record.results)
    try:
        name, content = write(results, fmt.upper(), _instance_types(loaded.model.model, results))
    except SimulationError as exc:  # h5py missing, or series of different lengths
        raise _failed(exc.format()) from None
    return f"{safe_name(record.name)}-{name}", content


@handler("download_results")
def download_results(conn: Session, data: Any) -> Reply:
    """The recording as a file (`GEPPETTO_RECORDING`: HDF5; `RAW`: a zip of results.dat and
    outputMapping.dat), then `download_results`."""
    loaded = loaded_project(conn, data)
    record = experiment_of(loaded, data)
    name, content = _results_file(loaded, record, str(obj(data).get("format") or RAW))
    conn.send_file(name, content)
    return Reply("download_results", {"download_results": ""})


def _uploads(conn: Session, what: str) -> UploadStore:
    store = services_of(conn).uploads
    if store is None:
        raise info(
            f"{what} needs an upload store, and this server has none (the Java server used "
            "Dropbox): give the application one, GeppettoApp(uploads=FolderUploads(folder))"
        )
    return store


def _key(data: Any) -> str:
    key = obj(data).get("key") if isinstance(data, dict) else data
    if not isinstance(key, str) or not key:
        raise ValueError("link_dropbox and unlink_dropbox need the account's key")
    return key


@handler("link_dropbox")
def link_dropbox(conn: Session, data: Any) -> Reply:
    _uploads(conn, "Linking an upload account").link(_key(data))
    return Reply("dropbox_linked", {"dropbox_linked": ""})


@handler("unlink_dropbox")
def unlink_dropbox(conn: Session, data: Any) -> None:
    """`dropbox_unlinked`, without a requestID as Java sent it."""
    _uploads(conn, "Unlinking an upload account").unlink(_key(data))
    conn.send("dropbox_unlinked", {"dropbox_unlinked": ""})


@handler("upload_model")
def upload_model(conn: Session, data: Any) -> None:
    """The model, written by the project's download hook, into the upload store;
    `model_uploaded` without a requestID, as Java sent it."""
    store = _uploads(conn, "Uploading models")
    loaded = loaded_project(conn, data)
    project = loaded.runtime.project
    request = obj(data)
    fmt = str(request.get("format") or "")
    if project.download_hook is None or fmt not in project.download_formats:
        offered = ", ".join(project.download_formats) or "none"
        raise info(f"project {project.name!r} cannot write its model as {fmt!r} ({offered})")
    name, content = project.download_hook(
        loaded.model.model, str(request.get("aspectPath") or ""), fmt
    )
    store.save(name, content)
    conn.send("model_uploaded", {"model_uploaded": ""})


@handler("upload_results")
def upload_results(conn: Session, data: Any) -> None:
    """The experiment's results (RAW) into the upload store; `results_uploaded` without a
    requestID, as Java sent it."""
    store = _uploads(conn, "Uploading results")
    loaded = loaded_project(conn, data)
    record = experiment_of(loaded, data)
    name, content = _results_file(loaded, record, str(obj(data).get("format") or RAW))
    store.save(name, content)
    conn.send("results_uploaded", {"results_uploaded": ""})
