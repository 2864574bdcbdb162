"""Hostile and broken XML gets a clear InterpreterError, at once, without memory blowing up."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from geppetto_dev.interpreters.base import InterpreterError, ModelFile
from geppetto_dev.interpreters.xmlsafe import line_of, parse_xml, read_xml, root_name

# Ten levels of ten: 10**9 "lol"s (3 GB) if expanded.
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<neuroml id="&lol9;"><cell id="&lol9;"/></neuroml>"""


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InterpreterError) as info:
            parse_xml(BILLION_LAUGHS, "bomb.nml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    err = info.value
    assert err.line == 3 and err.path == "bomb.nml"
    assert "declares the entity 'lol'" in str(err)
    assert peak < 5_000_000  # the expansion would take gigabytes


@pytest.mark.parametrize(
    ("doc", "line", "words"),
    [
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE n [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n'
            b"<neuroml>&x;</neuroml>",
            2,
            "declares the entity 'x'",
        ),
        (
            b'<!DOCTYPE n [\n<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p; ]>\n<neuroml/>',
            2,
            "declares the parameter entity 'p'",
        ),
        # An external DTD is never read, so its entities stay undefined.
        (
            b'<!DOCTYPE n SYSTEM "http://127.0.0.1:9/x.dtd">\n<neuroml>\n&x;</neuroml>',
            3,
            "undefined entity",
        ),
    ],
)
def test_external_entities_are_never_followed(doc: bytes, line: int, words: str) -> None:
    with pytest.raises(InterpreterError) as info:
        parse_xml(doc, "x.nml")
    assert info.value.line == line
    assert words in str(info.value)


def test_entities_are_found_in_any_encoding() -> None:
    doc = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<!DOCTYPE n [ <!ENTITY x "boom"> ]>\n<neuroml>&x;</neuroml>'
    ).encode("utf-16")
    with pytest.raises(InterpreterError, match="declares the entity 'x'"):
        parse_xml(doc, "x.nml")


def test_a_doctype_without_entities_is_fine() -> None:
    root = parse_xml(b'<!DOCTYPE neuroml>\n<neuroml id="a"><cell id="c"/></neuroml>', "ok.nml")
    assert root.get("id") == "a" and root[0].get("id") == "c"


def test_malformed_xml_names_file_and_line() -> None:
    doc = b'<?xml version="1.0"?>\n<neuroml>\n  <cell id="a">\n  </neuroml>\n'
    with pytest.raises(InterpreterError) as info:
        parse_xml(doc, "broken.nml")
    assert info.value.line == 4
    assert str(info.value).startswith("broken.nml:4: not well-formed XML: mismatched tag")
    assert "line 4, column" not in str(info.value)  # said once, not twice


def test_depth_and_size_limits() -> None:
    deep = b"<a>" * 300 + b"</a>" * 300
    with pytest.raises(InterpreterError, match="nested deeper than 256 elements"):
        parse_xml(deep, "deep.xml")
    assert parse_xml(deep, "deep.xml", max_depth=300).tag == "a"
    with pytest.raises(
        InterpreterError, match=r"too large for an XML model \(20 bytes; at most 10"
    ):
        parse_xml(b"<a>" + b" " * 13 + b"</a>", "big.xml", max_bytes=10)


def test_line_of_finds_an_element_by_tag_and_attributes() -> None:
    data = b'<neuroml xmlns="urn:x">\n<segment id="0"/>\n<segment id="1">\n</segment></neuroml>'
    assert line_of(data, "segment", {"id": "1"}) == 3
    assert line_of(data, "segment") == 2
    assert line_of(data, "segment", {"id": "9"}) is None


def test_read_xml_and_root_name(tmp_path: Path) -> None:
    (tmp_path / "sim.xml").write_text('<?xml version="1.0"?>\n<!-- a LEMS file -->\n<Lems/>')
    (tmp_path / "x.xmi").write_text("not xml at all")
    source = ModelFile.open(tmp_path / "sim.xml")
    root, data = read_xml(source)
    assert root.tag == "Lems" and data.startswith(b"<?xml")
    assert root_name(source) == "Lems"
    assert root_name(ModelFile.open(tmp_path / "x.xmi")) is None
