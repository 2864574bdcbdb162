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
from geppetto_dev.protocol.registry import Registry, Reply, default_registry, handler
from geppetto_dev.protocol.session import ProtocolSettings, Session

__all__ = [
    "COMPRESSION_THRESHOLD",
    "ProtocolError",
    "ProtocolSettings",
    "Registry",
    "Reply",
    "Request",
    "Session",
    "decode_request",
    "default_registry",
    "encode_envelope",
    "file_frame",
    "handler",
    "read_frame",
    "to_frame",
]
