"""The Geppetto WebSocket protocol, independent of any web framework."""

from geppetto_dev.protocol.envelope import (
    COMPRESSION_THRESHOLD,
    ProtocolError,
    Request,
    decode_request,
    encode_envelope,
    file_frame,
    read_frame,
    to_frame,
)
from geppetto_dev.protocol.registry import (
    Answer,
    Handler,
    Registry,
    Reply,
    handler,
    protocol_handlers,
)
from geppetto_dev.protocol.session import ProtocolSettings, Session

__all__ = [
    "COMPRESSION_THRESHOLD",
    "Answer",
    "Handler",
    "ProtocolError",
    "ProtocolSettings",
    "Registry",
    "Reply",
    "Request",
    "Session",
    "decode_request",
    "encode_envelope",
    "file_frame",
    "handler",
    "protocol_handlers",
    "read_frame",
    "to_frame",
]
