"""The lenient JSON reader against Gson itself: every case is read by the real Gson (the Debian
package libgoogle-gson-java, run by Java's source launcher) and by `gson.loads`, and both must
agree on the value or both refuse it. Skips, saying why, without Java or the Gson jar."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.interpreters import LenientJsonError, gson

GSON_JARS = [Path("/usr/share/java/gson.jar")]
ORACLE = Path(__file__).parent / "oracle" / "GsonOracle.java"

CASES = [
    # What real Geppetto project files do.
    '{ id: 1, activeExperimentId: 1, name: "HH", geppettoModel: { id: 1, url: "model.xmi",'
    ' type: "GEPPETTO_PROJECT" }, experiments: [ { id:1, "lastModified":"1436102517799",'
    ' aspectConfigurations: [ { "instance": "hhcell", simulatorConfiguration: { timestep:'
    " 0.00005, length: 0.3, parameters: {target: 'net1'} } } ] } ] }",
    '{"id":1,"creationDate":1518533035000,"script":"\\/script.js","view":{"viewStates":{}}}',
    # Names and strings.
    "{'single': 'quoted', unquoted: value, $dollar: a-b.c}",
    '{"esc": \'it\\\'s \\"q\\" \\u00e9\\t\\n\\/\'}',
    "{a: 'line\\\nbreak'}",
    '{a: "raw\tcontrol\x01chars"}',
    # Comments, separators, arrows.
    "// a comment\n{a: 1, # hash comment\n b: /* block\n comment */ 2}",
    "{a = 1; b => 2; c: 3}",
    "[1; 2, 3]",
    # Array separators without values are nulls.
    "[1,,2]",
    "[1,]",
    "[,]",
    "[]",
    "{}",
    # Keywords in any case; numbers; unquoted non-numbers stay text.
    "[true, FALSE, Null, tRuE, nulL]",
    "[0, -0, 1.5, -2e-5, 1E+3, 12345678901234567890]",
    "[NaN, Infinity, -Infinity, 01, 0x1F, 1., .5, 1.5.5, -, +1]",
    # The non-execute prefix; whitespace.
    ")]}'\n{a: 1}",
    "  \r\n\t[1]  \n",
    # Duplicate names: the last value wins.
    "{a: 1, a: 2}",
    # Refused by both.
    "{a: 1,}",
    "{a 1}",
    "{a: 1 b: 2}",
    "[1 2]",
    "{a: 1} {b: 2}",
    "{a: 'unterminated}",
    "{a: '\\q'}",
    "{a: '\\u12'}",
    "/* unterminated",
    "{: 1}",
    "[1, {]",
]


def _jar() -> Path | None:
    return next((j for j in GSON_JARS if j.is_file()), None)


@pytest.fixture(scope="module")
def gson_says(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    jar = _jar()
    if shutil.which("java") is None or jar is None:
        pytest.skip(
            "needs java and the Gson jar (Debian: default-jre-headless libgoogle-gson-java)"
        )
    folder = tmp_path_factory.mktemp("gson")
    files = []
    for i, text in enumerate(CASES):
        path = folder / f"case{i}.json"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    done = subprocess.run(
        ["java", "-cp", str(jar), str(ORACLE), *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == len(CASES), done.stderr
    return lines


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b if not isinstance(a, (int, float)) else a == b


@pytest.mark.parametrize("case", range(len(CASES)))
def test_reads_what_gson_reads(gson_says: list[str], case: int) -> None:
    text, said = CASES[case], gson_says[case]
    if said.startswith("ERROR"):
        with pytest.raises(LenientJsonError):
            gson.loads(text)
        return
    expected = json.loads(said.removeprefix("OK "))
    got = gson.loads(text)
    assert _same(got, expected), f"{text!r}: Gson {expected!r}, here {got!r}"


def test_unquoted_non_numbers_stay_text_even_in_strict_looking_json() -> None:
    """json.loads would make NaN a float; Gson leaves it for the field to convert."""
    assert gson.loads('{"a": NaN, "b": -Infinity}') == {"a": "NaN", "b": "-Infinity"}


def test_errors_give_line_column_and_json_path() -> None:
    text = '{\n  experiments: [\n    { id: 1,\n      name: "x" "y" }\n  ]\n}'
    with pytest.raises(LenientJsonError) as e:
        gson.loads(text, source="GEPPETTO.json")
    assert (e.value.line, e.value.column) == (4, 17)
    assert e.value.json_path == "$.experiments[0].name"
    assert str(e.value) == (
        "GEPPETTO.json:4: column 17: expected ',' or '}' after a name/value pair "
        "(at $.experiments[0].name)"
    )


def test_a_trailing_comma_in_an_object_says_so() -> None:
    with pytest.raises(LenientJsonError, match=r"column 8: expected a name, found '}' \(at \$\)"):
        gson.loads("{a: 1, }")


def test_empty_text_and_deep_nesting() -> None:
    with pytest.raises(LenientJsonError, match="the text is empty"):
        gson.loads("  // nothing\n")
    with pytest.raises(LenientJsonError, match="nested deeper than 200 levels"):
        gson.loads("[" * 100_000)
