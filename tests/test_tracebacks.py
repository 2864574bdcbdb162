"""Tracebacks of the user's own frames: real imports, a real library, a real worker process."""

from __future__ import annotations

import importlib
import multiprocessing
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from geppetto_dev.tracebacks import is_user_file, problem_from_exception, short_traceback


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n.startswith("tb_")]:
        del sys.modules[name]


def test_library_and_import_frames_are_left_out(project: Path) -> None:
    (project / "tb_app.py").write_text("import tb_lib\n\ntb_lib.parse()\n")
    (project / "tb_lib.py").write_text(
        "import json\n\n\ndef parse():\n    return json.loads('{')\n"
    )
    with pytest.raises(ValueError) as raised:
        importlib.import_module("tb_app")
    text = short_traceback(raised.value)
    assert 'tb_app.py", line 3, in <module>' in text
    assert 'tb_lib.py", line 5, in parse' in text
    assert text.splitlines()[-2].startswith("json.decoder.JSONDecodeError: Expecting property")
    assert "_bootstrap" not in text and "json/decoder.py" not in text and "frozen" not in text
    assert text.endswith("frames of geppetto-dev, Python and libraries not shown)")
    problem = problem_from_exception(raised.value, "The app failed to load")
    assert (problem.title, problem.line) == ("JSONDecodeError", 5)
    assert problem.file == str(project / "tb_lib.py")
    assert problem.code[-1] == (5, "    return json.loads('{')")


def test_a_syntax_error_is_its_file_line_and_caret(project: Path) -> None:
    (project / "tb_bad.py").write_text("x = 1\ny = [1,\n")
    with pytest.raises(SyntaxError) as raised:
        importlib.import_module("tb_bad")
    text = short_traceback(raised.value)
    assert f'File "{project / "tb_bad.py"}", line 2' in text
    assert "SyntaxError: '[' was never closed" in text
    assert "_bootstrap" not in text and "test_tracebacks.py" in text  # the caller is user code
    problem = problem_from_exception(raised.value, "h")
    assert (problem.line, problem.column, problem.code) == (2, 5, ((1, "x = 1"), (2, "y = [1,")))


def test_with_no_frame_of_the_users_the_whole_traceback_stays() -> None:
    import json

    try:
        json.loads("{")
    except ValueError as exc:
        assert exc.__traceback__ is not None
        exc.__traceback__ = exc.__traceback__.tb_next  # only json's frames are left
        text = short_traceback(exc)
    assert "json/decoder.py" in text and "not shown" not in text


def test_a_run_in_a_worker_process_keeps_the_users_frames_of_both_sides(project: Path) -> None:
    (project / "tb_hook.py").write_text(
        "def run(request):\n    return simulate(request)\n\n\n"
        "def simulate(request):\n    raise RuntimeError(f'diverged at {request}')\n"
    )
    import tb_hook

    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        future = pool.submit(tb_hook.run, 7)
        with pytest.raises(RuntimeError) as raised:
            future.result(timeout=60)
    text = short_traceback(raised.value)
    assert 'tb_hook.py", line 2, in run' in text and 'tb_hook.py", line 6, in simulate' in text
    assert "RuntimeError: diverged at 7" in text
    assert "concurrent/futures" not in text
    problem = problem_from_exception(raised.value, "h")
    assert (problem.file, problem.line) == (str(project / "tb_hook.py"), 6)


def test_which_files_are_the_users(tmp_path: Path) -> None:
    import flask
    import tornado

    assert is_user_file(str(tmp_path / "app.py"))
    for library in (
        flask.__file__,
        tornado.__file__,
        importlib.__file__,
        __import__("os").__file__,
    ):
        assert library is not None and not is_user_file(library)
    assert not is_user_file("<frozen importlib._bootstrap>")
    assert not is_user_file(short_traceback.__code__.co_filename)  # geppetto-dev itself
