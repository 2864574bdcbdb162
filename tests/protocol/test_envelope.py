from __future__ import annotations

import gzip
import json

import pytest

from geppetto_dev.protocol import (
    COMPRESSION_THRESHOLD,
    ProtocolError,
    decode_request,
    encode_envelope,
    file_frame,
    read_frame,
    to_frame,
)


def test_request_data_is_decoded_like_the_client_encodes_it() -> None:
    assert decode_request('{"requestID": "a-1", "type": "t", "data": "null"}').data is None
    url = decode_request('{"requestID": "a-1", "type": "t", "data": "http://x/p.json"}')
    assert url.data == "http://x/p.json"
    obj = decode_request(json.dumps({"requestID": "a-2", "type": "t", "data": '{"projectId": 3}'}))
    assert obj.data == {"projectId": 3} and obj.request_id == "a-2"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{", "INVALID_JSON"),
        ("3", "INVALID_MESSAGE"),
        ('{"data": 1}', "MISSING_TYPE"),
        ('{"type": ""}', "MISSING_TYPE"),
        (b"\xff\xfe", "INVALID_MESSAGE"),
    ],
)
def test_bad_frames_raise_protocol_errors(frame: str | bytes, code: str) -> None:
    with pytest.raises(ProtocolError) as info:
        decode_request(frame)
    assert info.value.error_code == code


def test_outbound_data_is_always_a_json_string() -> None:
    envelope = json.loads(encode_envelope("client_id", {"clientID": "x"}))
    assert envelope == {"requestID": None, "type": "client_id", "data": '{"clientID": "x"}'}


def test_compression_starts_at_the_java_threshold() -> None:
    small = "a" * (COMPRESSION_THRESHOLD - 1)
    assert to_frame(small) == small
    big = '"' + "b" * COMPRESSION_THRESHOLD + '"'
    frame = to_frame(big)
    assert isinstance(frame, bytes) and frame[0] == 0
    assert gzip.decompress(frame[1:]).decode() == big


def test_file_frames_round_trip() -> None:
    frame = file_frame("results.h5", b"\x00\x01data")
    assert frame[0] == 1 and frame[1] == len("results.h5")
    assert read_frame(frame) == ("results.h5", b"\x00\x01data")
    with pytest.raises(ValueError):
        file_frame("x" * 300, b"")
