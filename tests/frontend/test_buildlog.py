"""A frontend build's errors as Problems, from real webpack 3 and webpack 5 logs, and how the
outcome of each build of the watcher is told from its output and its build folder."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest

from geppetto_dev.frontend.buildlog import BUILD_FAILED, BuildOutcomes, webpack_problems
from geppetto_dev.problems import BUILD, Problem

LOGS = Path(__file__).parent / "logs"


def webapp_with(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_webpack5_blocks_give_file_line_column_and_code(tmp_path: Path) -> None:
    webapp = webapp_with(
        tmp_path,
        {
            "src/App.js": 'import React from "react";\nexport default function App() {\n'
            "  return <div>hi</div\n}\n",
            "src/index.js": 'import App from "./App";\nconsole.log(App);\n'
            'import Missing from "./Missing";\nconsole.log(Missing);\n',
        },
    )
    log = (LOGS / "webpack5-two-errors.log").read_text().splitlines()
    syntax, missing = webpack_problems(log, webapp)

    assert (syntax.title, syntax.message) == (
        "SyntaxError",
        'Unexpected token, expected "jsxTagEnd"',
    )
    assert (syntax.file, syntax.line, syntax.column) == (str(webapp / "src/App.js"), 4, 1)
    assert (4, "}") in syntax.code and (3, "  return <div>hi</div") in syntax.code
    assert syntax.heading == BUILD_FAILED and syntax.source == BUILD
    assert syntax.detail.startswith("ERROR in ./src/App.js\nModule build failed (from")
    assert "    at " not in syntax.detail  # babel's own stack is noise here

    assert missing.title == "Module not found"
    assert missing.message == "Can't resolve './Missing' in '/home/dev/webapp/src'"
    assert (missing.file, missing.line, missing.column) == (str(webapp / "src/index.js"), 3, 1)
    assert missing.code[-2] == (3, 'import Missing from "./Missing";')


def test_webpack3_blocks_of_geppetto_0_3_8(tmp_path: Path) -> None:
    webapp = webapp_with(
        tmp_path, {"src/App.js": "export default function App() {\n  return 1 +;\n}\n"}
    )
    log = (LOGS / "webpack3-syntax-error.log").read_text().splitlines()
    (problem,) = webpack_problems(log, webapp)
    assert (problem.title, problem.message) == ("SyntaxError", "Unexpected token")
    assert (problem.line, problem.column) == (2, 13)
    assert problem.where == f"{webapp / 'src/App.js'}:2:13"


def test_a_module_that_is_no_file_and_too_many_errors(tmp_path: Path) -> None:
    log = ["ERROR in main.bundle.js from UglifyJs", "Unexpected token: name (x) [main.js:3,4]"]
    (problem,) = webpack_problems(log, tmp_path)
    assert problem.file == "main.bundle.js" and problem.code == ()
    many = [f"ERROR in ./src/m{i}.js\nModule not found: Error: x{i}" for i in range(8)]
    problems = webpack_problems("\n".join(many).splitlines(), tmp_path)
    assert len(problems) == 5 and "3 more errors" in problems[-1].detail
    assert webpack_problems(["Hash: 1", "webpack: Compiled successfully."], tmp_path) == ()


class Outcomes:
    """A BuildOutcomes whose callbacks land in a queue, read with a timeout."""

    def __init__(self, webapp: Path, settle: float = 30.0) -> None:
        self.seen: queue.SimpleQueue[str | tuple[Problem, ...]] = queue.SimpleQueue()
        self.outcomes = BuildOutcomes(
            webapp, lambda: self.seen.put("built"), self.seen.put, settle=settle
        )

    def next(self, timeout: float = 10.0) -> str | tuple[Problem, ...]:
        return self.seen.get(timeout=timeout)

    def nothing_more(self) -> bool:
        return self.seen.empty()


ERROR = ["ERROR in ./js/a.js", "Module build failed: SyntaxError: Unexpected token (1:4)"]


def test_a_build_that_printed_errors_and_wrote_files_failed(tmp_path: Path) -> None:
    # webpack 3 and webpack 5 in development mode emit a bundle that throws, then print errors.
    watch = Outcomes(tmp_path)
    for line in ["Hash: 1", "\x1b[1m\x1b[31mERROR in ./js/a.js\x1b[39m\x1b[22m", ERROR[1]]:
        watch.outcomes.feed(line)
    watch.outcomes.built()
    failed = watch.next()
    assert isinstance(failed, tuple) and failed[0].message == "Unexpected token"
    watch.outcomes.built()  # the same build's files settling again: no news
    assert watch.nothing_more()
    watch.outcomes.feed("webpack: Compiled successfully.")
    watch.outcomes.built()
    assert watch.next() == "built"
    watch.outcomes.stop()


def test_errors_with_no_files_written_fail_once_the_output_settles(tmp_path: Path) -> None:
    # webpack in production mode (noEmitOnErrors) writes nothing: quiet after errors is the end.
    watch = Outcomes(tmp_path, settle=0.05)
    for line in ERROR:
        watch.outcomes.feed(line)
    failed = watch.next()
    assert isinstance(failed, tuple) and failed[0].line == 1 and failed[0].column == 5
    watch.outcomes.feed("webpack: Compiled successfully.")
    watch.outcomes.built()
    assert watch.next() == "built"
    watch.outcomes.stop()


@pytest.mark.parametrize("output", [[], ["webpack: Compiled successfully."]])
def test_files_written_with_no_error_are_a_good_build(tmp_path: Path, output: list[str]) -> None:
    watch = Outcomes(tmp_path)
    for line in output:
        watch.outcomes.feed(line)
    watch.outcomes.built()
    assert watch.next() == "built"
