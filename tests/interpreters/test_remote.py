"""Remote model files: a real HTTP server on a loopback port, the fetcher's cache, its limits
(size, time, schemes, hosts, private addresses), and Java projects whose model is a URL."""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geppetto_dev import model as gm
from geppetto_dev.interpreters import (
    InterpreterError,
    RemoteFetcher,
    default_interpreters,
    read_java_project,
)
from tests.interpreters.checks import client_view
from tests.interpreters.samples import GEPPETTO_JSON, HEAD, SWC, TAIL


class Site:
    """A folder served over HTTP, counting requests, with a few misbehaving paths."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                site.hits[self.path] += 1
                if path == "/slow.swc":
                    time.sleep(3)
                    return self.reply(SWC.encode())
                if path == "/endless":
                    self.send_response(200)
                    self.end_headers()  # no Content-Length: the size shows only while reading
                    for _ in range(64):
                        self.wfile.write(b"#" * 65536)
                    return None
                if path.startswith("/to/"):
                    self.send_response(302)
                    self.send_header("Location", path[len("/to/") :].replace("_", "/", 2))
                    self.end_headers()
                    return None
                file = site.folder / path.lstrip("/")
                if not file.is_file():
                    self.send_error(404, "Not Found")
                    return None
                return self.reply(file.read_bytes())

            def reply(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "cells").mkdir()
    (folder / "cells" / "cell.swc").write_text(SWC)
    s = Site(folder)
    yield s
    s.stop()


def fetcher(tmp_path: Path, **options: object) -> RemoteFetcher:
    options.setdefault("allow_private", True)  # the test server is on a loopback address
    return RemoteFetcher(tmp_path / "cache", **options)  # type: ignore[arg-type]


def test_fetched_once_into_a_cache_that_mirrors_the_url(tmp_path: Path, site: Site) -> None:
    fetch = fetcher(tmp_path)
    url = site.url("cells/cell.swc")
    got = fetch(url)
    host = tmp_path / "cache" / "http" / f"127.0.0.1_{site.port}"
    assert got.path == host / "cells" / "cell.swc" and got.root == host
    assert got.read_bytes() == SWC.encode()
    assert fetch(url).path == got.path
    assert site.hits["/cells/cell.swc"] == 1  # the second came from the cache
    assert fetch.url_of(got.path) == url
    assert fetch.url_of(tmp_path / "elsewhere.swc") is None
    fetcher(tmp_path, max_age=0)(url)
    assert site.hits["/cells/cell.swc"] == 2  # older than max_age: fetched again


def test_urls_with_queries_are_kept_apart(tmp_path: Path, site: Site) -> None:
    fetch = fetcher(tmp_path)
    a, b = fetch(site.url("cells/cell.swc?v=1")), fetch(site.url("cells/cell.swc?v=2"))
    assert a.path != b.path and a.path.name.endswith(".swc") and b.path.parent == a.path.parent


@pytest.mark.parametrize(
    ("path", "options", "says"),
    [
        ("cells/cell.swc", {"max_bytes": 10}, "is larger than 10 bytes"),
        ("endless", {"max_bytes": 1_000_000}, "is larger than 1000000 bytes"),
        ("slow.swc", {"timeout": 0.5}, "took longer than 0.5 s"),
        ("absent.swc", {}, "HTTP 404 Not Found"),
        ("to/file:_etc_passwd", {}, "Redirection to url 'file:/etc/passwd' is not allowed"),
        ("cells/cell.swc", {"allowed_hosts": ["models.example.org"]}, "is not among the hosts"),
    ],
)
def test_limits(
    tmp_path: Path, site: Site, path: str, options: dict[str, object], says: str
) -> None:
    fetch = fetcher(tmp_path, **options)
    with pytest.raises(InterpreterError, match=says):
        fetch(site.url(path))
    # Nothing is kept, not even half a file.
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_a_redirect_to_another_host_is_checked_too(tmp_path: Path, site: Site) -> None:
    fetch = fetcher(tmp_path, allowed_hosts=["127.0.0.1"])
    away = f"http:__localhost:{site.port}/cells/cell.swc"
    with pytest.raises(InterpreterError, match="host localhost is not among the hosts"):
        fetch(site.url(f"to/{away}"))


def test_private_addresses_are_refused_by_default(tmp_path: Path, site: Site) -> None:
    with pytest.raises(InterpreterError, match=r"127\.0\.0\.1 is a local or private address"):
        RemoteFetcher(tmp_path / "cache")(site.url("cells/cell.swc"))
    with pytest.raises(InterpreterError, match="host localhost is a local or private address"):
        RemoteFetcher(tmp_path / "cache")(f"http://localhost:{site.port}/cells/cell.swc")
    assert site.hits["/cells/cell.swc"] == 0


MODEL = """  <variables id="hhcell" types="//@libraries.0/@types.0"/>
  <libraries id="swc" name="SWC">
    <types xsi:type="gep_1:ImportType" id="net1" url="{url}" modelInterpreterId="{mid}"/>
  </libraries>
"""


def test_a_project_whose_model_is_a_url(tmp_path: Path, site: Site) -> None:
    """As the samples' GEPPETTO.json files are: the XMI by https URL, its import beside it."""
    (site.folder / "HH").mkdir()
    (site.folder / "HH" / "GeppettoModel.xmi").write_text(
        HEAD + MODEL.format(url="../cells/cell.swc", mid="swcModelInterpreter") + TAIL
    )
    local = tmp_path / "project"
    local.mkdir()
    project = local / "GEPPETTO.json"
    project.write_text(GEPPETTO_JSON.replace("GeppettoModel.xmi", site.url("HH/GeppettoModel.xmi")))
    with pytest.raises(InterpreterError, match="remote files are not fetched here"):
        read_java_project(project, interpreters=default_interpreters())
    p = read_java_project(project, interpreters=default_interpreters(), fetch=fetcher(tmp_path))
    assert isinstance(p.model.variable("hhcell").type, gm.CompositeVisualType)
    assert set(site.hits) == {"/HH/GeppettoModel.xmi", "/cells/cell.swc"}
    client_view(p.model)


def test_a_fetched_lems_file_brings_its_includes(
    tmp_path: Path, site: Site, nml_root: Path
) -> None:
    """jNeuroML's LEMS example includes ../examples/NML2_SingleCompHHCell.nml: fetched from
    beside it when the reader asks for it; its NeuroML core types are never fetched."""
    for folder in ("LEMSexamples", "examples"):
        shutil.copytree(nml_root / folder, site.folder / folder)
    lems = site.url("LEMSexamples/LEMS_NML2_Ex5_DetCell.xml")
    model = tmp_path / "m.xmi"
    model.write_text(HEAD + MODEL.format(url=lems, mid="lemsModelInterpreter") + TAIL)
    reg = default_interpreters(fetch=fetcher(tmp_path))
    m = reg.read_model(model)
    assert m.pointer("hhcell.hhpop[0].v").variable.id == "v"
    assert set(site.hits) == {
        "/LEMSexamples/LEMS_NML2_Ex5_DetCell.xml",
        "/examples/NML2_SingleCompHHCell.nml",
    }
    client_view(m)
