"""The pilot notebooks read the query string through request_query_string(): in a preheated Voilà kernel it
waits for the visitor's request on Voilà's request channel; elsewhere it reads QUERY_STRING as it is."""

import json
import sys
import threading

import pytest
from websockets.sync.server import serve

from helsekit.widgets.page import request_query_string


def test_outside_a_preheated_kernel_the_query_string_is_read_as_it_is(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "site=3&citizen=7")
    monkeypatch.setitem(sys.modules, "websockets.sync.client", None)  # connecting would now raise ImportError
    assert request_query_string() == "site=3&citizen=7"


def test_without_a_query_string_it_returns_none(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert request_query_string() is None


@pytest.fixture
def request_channel():
    """A stand-in for Voilà's /voila/query/<kernel id> websocket: it sends one request's variables to the
    kernel that connects, and records the path asked for."""
    paths: list[str] = []

    def handler(connection):
        paths.append(connection.request.path)
        connection.send(json.dumps({"QUERY_STRING": "site=12&citizen=4", "SCRIPT_NAME": "/voila/render/x/x.ipynb"}))

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server.socket.getsockname()[1], paths
        server.shutdown()
    thread.join(timeout=5)


def test_a_preheated_kernel_waits_for_the_request_and_reads_its_query_string(monkeypatch, request_channel):
    port, paths = request_channel
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", str(port))
    monkeypatch.setenv("VOILA_SERVER_URL", "/")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-123")
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setitem(sys.modules, "voila.utils", None)  # Voilà's slow helper is not imported
    assert request_query_string() == "site=12&citizen=4"
    assert paths == ["/voila/query/k-123"]


def test_a_preheated_kernel_whose_server_cannot_be_reached_draws_the_page_without_a_query(monkeypatch, capsys):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", "1")  # nothing listens there
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert request_query_string() is None
    assert "no request info" in capsys.readouterr().err


def test_every_pilot_notebook_reads_the_query_string_through_request_query_string():
    """A preheated kernel runs the notebook before the request: reading QUERY_STRING directly would show
    every visitor the page of the first site, whatever their query string."""
    from helsekit.pilots import discover

    found = [pilot for pilot in discover()[0] if pilot.status == "pilot"]
    assert found, "no running pilot found"
    for pilot in found:
        notebook = json.loads((pilot.folder / pilot.notebook).read_text(encoding="utf-8"))
        code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
        assert "request_query_string()" in code, f"{pilot.id}: the query string is not read with request_query_string()"
        assert "QUERY_STRING" not in code, f"{pilot.id}: reads QUERY_STRING itself (empty in a preheated kernel)"
