"""Files in and out of experiments: download an experiment's results; link an upload store
(Java's Dropbox) and upload a model or results to it.

Results are written as RAW, a text table (time, then one column per recorded variable), the
format Java's `downloadResults` offered besides HDF5 recordings. Uploads go to the
application's upload store (`GeppettoApp(uploads=...)`); their replies carry no requestID, as
Java sent them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from geppetto_dev.projects.conversation import experiment_of, info, loaded_project, obj
from geppetto_dev.projects.records import COMPLETED, ExperimentRecord
from geppetto_dev.projects.services import services_of
from geppetto_dev.projects.uploads import UploadStore, safe_name
from geppetto_dev.protocol.registry import Answer, Reply, handler
from geppetto_dev.protocol.session import Session

__all__ = [
    "ERROR_DOWNLOADING_RESULTS",
    "RESULT_FORMATS",
    "download_results",
    "link_dropbox",
    "raw_results",
    "unlink_dropbox",
    "upload_model",
    "upload_results",
]

ERROR_DOWNLOADING_RESULTS = "error_downloading_results"
RAW = "RAW"
RESULT_FORMATS = (RAW,)


def raw_results(results: Mapping[str, Any]) -> bytes:
    """A tab-separated table: `time` first (or the sample index), then each variable."""
    columns = {
        path: list(getattr(series, "value", series) or []) for path, series in results.items()
    }
    time = columns.pop("time", None)
    length = max((len(v) for v in columns.values()), default=len(time or []))
    first = time if time is not None else list(range(length))
    lines = ["\t".join(["time" if time is not None else "index", *columns])]
    for i in range(max(length, len(first))):
        row = [first[i] if i < len(first) else ""]
        row += [values[i] if i < len(values) else "" for values in columns.values()]
        lines.append("\t".join(repr(v) if isinstance(v, float) else str(v) for v in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _results_file(record: ExperimentRecord, fmt: str) -> tuple[str, bytes]:
    if fmt.upper() != RAW:
        raise Answer(
            Reply(
                ERROR_DOWNLOADING_RESULTS,
                {"message": f"results are written as {', '.join(RESULT_FORMATS)}, not {fmt!r}"},
            )
        )
    if record.status != COMPLETED or record.results is None:
        raise Answer(
            Reply(
                ERROR_DOWNLOADING_RESULTS,
                {"message": f"experiment {record.name!r} is {record.status}: no results yet"},
            )
        )
    return f"{safe_name(record.name)}-results.dat", raw_results(record.results)


def _zipped(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


@handler("download_results")
def download_results(conn: Session, data: Any) -> Reply:
    """A zip of the experiment's results (RAW), then `download_results`."""
    loaded = loaded_project(conn, data)
    record = experiment_of(loaded, data)
    name, content = _results_file(record, str(obj(data).get("format") or RAW))
    conn.send_file("results.zip", _zipped(name, content))
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
    name, content = _results_file(record, str(obj(data).get("format") or RAW))
    store.save(name, content)
    conn.send("results_uploaded", {"results_uploaded": ""})
