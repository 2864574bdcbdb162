"""The protocol inspector in headless Chromium, against a real `geppetto-dev serve`."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Watched, save_screenshot
from tests.support import ServeProcess, empty_project, start_serve

INSPECTOR = "/_geppetto/inspector"
HANDLERS_ARGS = ("--handlers", "project_handlers")

# Handlers that exercise every frame kind: a reply of another type, a file download and a reply
# large enough to go out as a 0x00+gzip frame.
HANDLERS = """
import json

from geppetto_dev.protocol import Reply, handler


@handler("load_project_from_url")
def load_project_from_url(conn, data):
    conn.send_file("model.nml", b"<neuroml id='fixture'/>")
    project = {"persisted": False, "isReadOnly": True, "project": {"id": 1, "name": data}}
    return Reply("project_loaded", {"project_loaded": json.dumps(project)})


@handler("fetch_variable")
def fetch_variable(conn, data):
    values = {"variableId": data["variableId"], "values": list(range(8000))}
    return Reply("variable_fetched", {"variable_fetched": json.dumps(values)})
"""


def write_project(root: Path) -> Path:
    """A fresh project without a frontend, with a package of WebSocket handlers."""
    package = root / "project_handlers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "demo.py").write_text(HANDLERS)
    return root


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """One server for the tests that leave the project alone; each gets its own connection."""
    served = start_serve(write_project(tmp_path_factory.mktemp("project")), *HANDLERS_ARGS)
    yield served
    served.stop()


@pytest.fixture
def inspector(shared_server: ServeProcess, watched: Watched) -> tuple[Page, ServeProcess]:
    page = watched.page
    page.goto(shared_server.url + INSPECTOR)
    expect(page.locator("#status")).to_have_attribute("data-state", "open")
    return page, shared_server


def message(page: Page, direction: str, kind: str) -> Locator:
    return page.locator(f'li.msg[data-direction="{direction}"][data-type="{kind}"]')


def send(page: Page, kind: str, data: str = "") -> None:
    page.fill("#send-type", kind)
    page.fill("#send-data", data)
    page.click("#send")


def test_shows_the_live_handshake(inspector: tuple[Page, ServeProcess], watched: Watched) -> None:
    page, _ = inspector
    client_id = message(page, "in", "client_id")
    privileges = message(page, "in", "user_privileges")
    expect(client_id).to_have_count(1)
    expect(privileges).to_have_count(1)

    # The clientID the server sent is the one the page shows and will use in requestIDs.
    shown_id = page.inner_text("#client-id")
    assert len(shown_id) >= 8
    expect(client_id.locator("pre.data")).to_contain_text(f'"clientID": "{shown_id}"')
    expect(page.locator("#next-id")).to_have_text(f"next requestID {shown_id}-0")

    # user_privileges is double-encoded on the wire; the page shows the inner object decoded.
    data = privileges.locator("pre.data")
    expect(data).to_contain_text('"userName": "Python User"')
    expect(data).to_contain_text('"privileges": [')
    expect(data).to_contain_text('"READ_PROJECT"')
    privileges.locator("button.tab", has_text="raw").click()
    # The raw view is the frame as received: the inner object is a string inside a string.
    expect(data).to_contain_text(r"\\\"privileges\\\": [")
    expect(page.locator("#ws-url")).to_have_text(
        page.url.replace("http://", "ws://").replace(INSPECTOR, "")
        + "/org.geppetto.frontend/GeppettoServlet"
    )
    assert watched.errors == []


def test_geppetto_version_round_trip(
    inspector: tuple[Page, ServeProcess], watched: Watched
) -> None:
    page, _ = inspector
    expect(page.locator("#message-types button[data-type=geppetto_version]")).to_be_visible()
    page.click("#message-types button[data-type=geppetto_version]")
    expect(page.locator("#send-type")).to_have_value("geppetto_version")
    client_id = page.inner_text("#client-id")
    page.click("#send")

    request = message(page, "out", "geppetto_version")
    reply = message(page, "in", "geppetto_version")
    expect(reply).to_have_count(1)
    expect(request).to_have_attribute("data-request-id", f"{client_id}-0")
    expect(reply).to_have_attribute("data-request-id", f"{client_id}-0")
    # The frontend sends "no data" as the JSON string "null".
    request.locator("button.tab", has_text="raw").click()
    expect(request.locator("pre.data")).to_contain_text('"data":"null"')
    expect(reply.locator("pre.data")).to_contain_text('"geppetto_version": "0.3.8"')
    expect(reply.locator(".reply")).to_contain_text("reply to #")
    expect(request.locator(".reply")).to_contain_text("replied #")
    # The reply link points at its request.
    href = reply.locator(".reply a").get_attribute("href")
    assert href == "#" + str(request.get_attribute("id"))

    # A sent message goes back into the form to be sent again, with the next requestID.
    page.fill("#send-type", "")
    request.locator("button.resend").click()
    expect(page.locator("#send-type")).to_have_value("geppetto_version")
    page.click("#send")
    expect(reply).to_have_count(2)
    expect(reply.nth(1)).to_have_attribute("data-request-id", f"{client_id}-1")
    assert watched.errors == []


def test_bad_messages_show_the_generic_error(inspector: tuple[Page, ServeProcess]) -> None:
    page, _ = inspector
    client_id = page.inner_text("#client-id")
    send(page, "no_such_type", '{"x": 1}')
    error = message(page, "in", "generic_error")
    expect(error).to_have_count(1)
    # No requestID on the wire (as Java sent it); the error's id links it to its request.
    expect(error).to_have_class("msg in error is-reply")
    expect(error.locator(".rid")).to_have_text("no requestID")
    expect(error.locator(".reply")).to_contain_text("reply to #")
    assert client_id
    # generic_error's `message` is a JSON string; the page shows it decoded.
    expect(error.locator("pre.data")).to_contain_text('"error_code": "UNKNOWN_TYPE"')
    expect(error.locator("pre.data")).to_contain_text("no_such_type")

    # A frame that is not JSON at all, sent raw, is answered too (with no requestID to match).
    page.check("#send-raw")
    expect(page.locator("#send-type")).to_be_disabled()
    page.fill("#send-data", "{not json")
    page.click("#send")
    expect(message(page, "out", "(raw frame)")).to_have_count(1)
    expect(error).to_have_count(2)
    expect(error.nth(1).locator("pre.data")).to_contain_text('"error_code": "INVALID_JSON"')
    # The connection survives bad input.
    expect(page.locator("#status")).to_have_attribute("data-state", "open")


def test_project_handlers_gzip_and_file_frames(
    inspector: tuple[Page, ServeProcess], watched: Watched
) -> None:
    page, _ = inspector
    types = page.locator("#message-types button")
    # The project's own handlers, listed with the built-in ones (the project conversation too).
    expect(types).to_contain_text(
        ["fetch_variable", "geppetto_version", "load_project_from_id", "load_project_from_url"]
    )

    # A bare string is sent as-is, as the frontend sends load_project_from_url's URL.
    send(page, "load_project_from_url", "https://example.org/project.json")
    loaded = message(page, "in", "project_loaded")
    expect(loaded).to_have_count(1)
    expect(loaded.locator("pre.data")).to_contain_text('"name": "https://example.org/project.json"')
    expect(loaded.locator(".reply")).to_contain_text("load_project_from_url")
    download = page.locator("#downloads a")
    expect(download).to_have_text("model.nml")
    expect(message(page, "in", "(file)").locator("pre.data")).to_contain_text("neuroml id=")
    with page.expect_download() as info:
        download.click()
    saved = Path(info.value.path())
    assert saved.read_bytes() == b"<neuroml id='fixture'/>"

    # The reply is over the compression threshold: a 0x00+gzip binary frame, decoded in page.
    send(page, "fetch_variable", '{"projectId": 1, "variableId": "v", "dataSourceId": "d"}')
    fetched = message(page, "in", "variable_fetched")
    expect(fetched).to_have_count(1)
    expect(fetched.locator(".tag")).to_have_text("gzip")
    fetched.locator(".meta").click()  # large messages start folded
    expect(fetched.locator("pre.data")).to_contain_text('"variableId": "v"')
    expect(fetched.locator("pre.data")).to_contain_text("7999")

    # The filter narrows the list to matching messages.
    page.fill("#filter", "variable_fetched")
    expect(page.locator("li.msg:visible")).to_have_count(1)
    page.fill("#filter", "")
    expect(page.locator("li.msg:visible")).to_have_count(page.locator("li.msg").count())
    assert watched.errors == []


def test_screenshot(inspector: tuple[Page, ServeProcess]) -> None:
    """A representative session, saved as test-artifacts/inspector.png (the README's image)."""
    page, _ = inspector
    page.click("#message-types button[data-type=geppetto_version]")
    page.click("#send")
    expect(message(page, "in", "geppetto_version")).to_have_count(1)
    send(page, "no_such_type", "")
    expect(message(page, "in", "generic_error")).to_have_count(1)
    send(page, "load_project_from_url", "https://example.org/project.json")
    expect(message(page, "in", "project_loaded")).to_have_count(1)
    page.set_viewport_size({"width": 1280, "height": 1160})
    page.uncheck("#follow")
    for kind in ("user_privileges", "(file)"):  # fold the longest ones
        message(page, "in", kind).locator(".meta").click()
    page.evaluate("document.getElementById('log').scrollTop = 0")
    # What the picture is for: the handled types, and the exchange at the top of the log.
    expect(page.locator("#message-types button[data-type=geppetto_version]")).to_be_in_viewport()
    for kind in ("geppetto_version", "generic_error"):
        expect(message(page, "in", kind)).to_be_in_viewport()
    path = save_screenshot(page, "inspector.png")
    assert distinct_pixel_bytes(path) > 64, "the screenshot is (nearly) blank"


def distinct_pixel_bytes(png: Path) -> int:
    """How many different byte values the decoded image data holds: a blank page has a few."""
    data, pos, pixels = png.read_bytes(), 8, b""
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"IDAT":
            pixels += data[pos + 8 : pos + 8 + length]
        pos += length + 12
    return len(set(zlib.decompress(pixels)))


def test_reconnects_after_a_reload_with_the_new_handlers(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    project = write_project(tmp_path)
    served = serve(project, "--reload", *HANDLERS_ARGS)
    page = watched.page
    page.goto(served.url + INSPECTOR)
    expect(message(page, "in", "user_privileges")).to_have_count(1)
    first_id = page.inner_text("#client-id")
    expect(page.locator("#message-types button[data-type=hello]")).to_have_count(0)

    # A new handler module: the server restarts, the page stays and reconnects by itself.
    (project / "project_handlers" / "hello.py").write_text(
        "from geppetto_dev.protocol import handler\n\n\n"
        '@handler("hello")\n'
        "def hello(conn, data):\n"
        '    return {"hello": data}\n'
    )
    expect(page.locator("li.note", has_text="connection closed")).to_have_count(1, timeout=20_000)
    expect(message(page, "in", "client_id")).to_have_count(2, timeout=20_000)
    expect(page.locator("#status")).to_have_attribute("data-state", "open")
    second_id = page.inner_text("#client-id")
    assert second_id != first_id
    expect(page.locator("#message-types button[data-type=hello]")).to_have_count(1)

    page.click("#message-types button[data-type=hello]")
    page.fill("#send-data", '"world"')
    page.click("#send")
    reply = message(page, "in", "hello")
    expect(reply).to_have_attribute("data-request-id", f"{second_id}-0")
    expect(reply.locator("pre.data")).to_contain_text('"hello": "world"')
    assert watched.errors == []


@pytest.mark.parametrize(
    ("context_path", "socket_path"),
    [("custom.frontend", "/custom.frontend/GeppettoServlet"), ("", "/GeppettoServlet")],
)
def test_socket_url_follows_the_context_path(
    tmp_path: Path,
    serve: Callable[..., ServeProcess],
    watched: Watched,
    context_path: str,
    socket_path: str,
) -> None:
    served = serve(empty_project(tmp_path), "--context-path", context_path)
    page = watched.page
    page.goto(served.url + INSPECTOR)
    expect(page.locator("#status")).to_have_attribute("data-state", "open")
    expect(page.locator("#ws-url")).to_have_text(served.url.replace("http:", "ws:") + socket_path)
    expect(message(page, "in", "user_privileges")).to_have_count(1)
    assert watched.errors == []


def test_reached_from_the_embedded_frontend(shared_server: ServeProcess, watched: Watched) -> None:
    # A fresh folder has no frontend of its own: / is the prebuilt one, with a link here.
    page = watched.page
    page.goto(shared_server.url + "/")
    expect(page.locator("canvas")).to_have_count(1)
    page.get_by_role("link", name="protocol inspector").click()
    expect(page).to_have_url(shared_server.url + INSPECTOR)
    expect(message(page, "in", "client_id")).to_have_count(1)
    expect(message(page, "in", "user_privileges")).to_have_count(1)
    assert watched.errors == []


def test_keeps_reconnecting_while_the_server_is_down(
    tmp_path: Path, serve: Callable[..., ServeProcess], watched: Watched
) -> None:
    first = serve(empty_project(tmp_path))
    page = watched.page
    page.goto(first.url + INSPECTOR)
    expect(message(page, "in", "client_id")).to_have_count(1)

    assert first.stop() == 0
    expect(page.locator("#status")).to_have_attribute("data-state", "closed")
    # Failed attempts update one note rather than adding one each.
    note = page.locator("li.note.warning")
    expect(note).to_contain_text("(attempt 2)", timeout=15_000)
    expect(note).to_have_count(1)

    port = first.url.rsplit(":", 1)[1]
    second = serve(tmp_path, "--port", port)
    assert second.url == first.url
    expect(message(page, "in", "client_id")).to_have_count(2, timeout=15_000)
    expect(page.locator("#status")).to_have_attribute("data-state", "open")
    expect(page.locator("li.note", has_text="connected to")).to_have_count(2)
