"""The Geppetto wire format: JSON envelopes in text frames; gzip and files in binary frames.

Outbound `data` is always a JSON-encoded string of an object, because the client calls
`JSON.parse(msg.data)`. Large envelopes go out gzip-compressed behind a 0x00 byte, as the Java
server does; without that prefix the client would take the frame for a file download.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COMPRESSED_PREFIX",
    "COMPRESSION_THRESHOLD",
    "FILE_PREFIX",
    "MAX_REQUEST_ID_LENGTH",
    "ProtocolError",
    "Request",
    "decode_data",
    "decode_request",
    "encode_envelope",
    "file_frame",
    "read_frame",
    "to_frame",
]

# The Java server compresses envelopes of this many characters or more.
COMPRESSION_THRESHOLD = 20000
COMPRESSED_PREFIX = b"\x00"
FILE_PREFIX = b"\x01"
# A requestID is echoed in every reply; a longer one is refused rather than sent back.
MAX_REQUEST_ID_LENGTH = 256


class ProtocolError(Exception):
    """An inbound frame the server cannot act on; answered with a `generic_error`."""

    def __init__(self, error_code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.request_id = request_id


@dataclass(frozen=True)
class Request:
    """One client message. `data` is decoded from its JSON string when it is one."""

    request_id: str | None
    type: str
    data: Any
    raw_data: Any


def decode_data(raw: Any) -> Any:
    """The client JSON-encodes non-string data ("null" is no data); bare strings stay strings."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def decode_request(frame: str | bytes) -> Request:
    """Parse a client frame, raising ProtocolError with the requestID when one can be recovered."""
    if isinstance(frame, bytes):
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("INVALID_MESSAGE", "binary frame is not UTF-8 text") from None
    try:
        message = json.loads(frame)
    except ValueError as exc:
        raise ProtocolError("INVALID_JSON", f"message is not valid JSON: {exc}") from None
    except RecursionError:  # about a thousand nested arrays or objects
        raise ProtocolError("INVALID_JSON", "message is nested too deeply") from None
    if not isinstance(message, dict):
        raise ProtocolError("INVALID_MESSAGE", "message must be a JSON object")
    request_id = _request_id(message.get("requestID"))
    kind = message.get("type")
    if not isinstance(kind, str) or not kind:
        raise ProtocolError("MISSING_TYPE", "message has no type", request_id)
    raw = message.get("data")
    try:
        data = decode_data(raw)
    except RecursionError:
        raise ProtocolError("INVALID_JSON", "data is nested too deeply", request_id) from None
    return Request(request_id=request_id, type=kind, data=data, raw_data=raw)


def _request_id(value: Any) -> str | None:
    """The requestID as the reply echoes it: a string or a number (not true/false, not NaN)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ProtocolError("INVALID_MESSAGE", "requestID must be a string or a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ProtocolError("INVALID_MESSAGE", "requestID must be a finite number")
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) > MAX_REQUEST_ID_LENGTH:
        raise ProtocolError(
            "INVALID_MESSAGE", f"requestID is longer than {MAX_REQUEST_ID_LENGTH} characters"
        )
    return text


def encode_envelope(kind: str, payload: Any, request_id: str | None = None) -> str:
    """The outbound envelope; `payload` is JSON-encoded into `data` unless already a string."""
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return json.dumps({"requestID": request_id, "type": kind, "data": data})


def to_frame(envelope: str) -> str | bytes:
    """Text for small envelopes, 0x00 + gzip for large ones (the client inflates those)."""
    if len(envelope) < COMPRESSION_THRESHOLD:
        return envelope
    # Level 1: a 6 MB model envelope gzips in ~1/3 of level 6's time to ~1.3x its size (180 kB
    # vs 140 kB for 10k cylinders); the client inflates either, and latency is what users see.
    return COMPRESSED_PREFIX + gzip.compress(envelope.encode("utf-8"), compresslevel=1)


def file_frame(filename: str, content: bytes) -> bytes:
    """A file download: 0x01, filename length, filename, then the bytes."""
    name = filename.encode("utf-8")
    if not 0 < len(name) < 256:
        raise ValueError("filename must be 1 to 255 bytes in UTF-8")
    return FILE_PREFIX + bytes([len(name)]) + name + content


def read_frame(frame: str | bytes) -> dict[str, Any] | tuple[str, bytes]:
    """Decode a server frame as the client does: an envelope dict, or (filename, content)."""
    if isinstance(frame, str):
        result: dict[str, Any] = json.loads(frame)
        return result
    if frame[:1] == COMPRESSED_PREFIX:
        inflated: dict[str, Any] = json.loads(gzip.decompress(frame[1:]).decode("utf-8"))
        return inflated
    length = frame[1]
    return frame[2 : 2 + length].decode("utf-8"), bytes(frame[2 + length :])
