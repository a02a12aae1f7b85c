"""The pilot notebooks read the query string through request_query_string(): it waits for the visitor's
request only in a preheated Voilà kernel, and never imports voila.utils elsewhere (seconds in a kernel)."""

import sys
import types

from helsekit.widgets.page import request_query_string


def test_outside_a_preheated_kernel_the_query_string_is_read_as_it_is(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "site=3&citizen=7")
    monkeypatch.setitem(sys.modules, "voila.utils", None)  # importing it would now raise ImportError
    assert request_query_string() == "site=3&citizen=7"


def test_without_a_query_string_it_returns_none(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setitem(sys.modules, "voila.utils", None)
    assert request_query_string() is None


def test_a_preheated_kernel_waits_for_the_request_before_reading_its_query_string(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    calls = []

    def wait_for_request(url=None):
        calls.append(url)
        monkeypatch.setenv("QUERY_STRING", "site=12")  # what Voilà copies in when the request arrives

    monkeypatch.setitem(sys.modules, "voila.utils", types.SimpleNamespace(wait_for_request=wait_for_request))
    assert request_query_string() == "site=12"
    assert calls == [None]
