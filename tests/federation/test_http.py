"""Fetches refuse private addresses and oversized documents."""

import httpx
import pytest

from federation import http
from federation.errors import FetchError


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/actor",
        "https://127.0.0.1/actor",
        "https://localhost/actor",
        "https://10.1.2.3/actor",
        "https://192.168.1.1/actor",
        "https://[::1]/actor",
        "https://169.254.169.254/latest",
        "ftp://example.org/x",
    ],
)
def test_private_and_insecure_addresses_are_refused(settings, url):
    settings.FEDERATION_ALLOW_INSECURE = False
    with pytest.raises(FetchError):
        http.check_url(url)


def test_insecure_mode_allows_loopback_http(settings):
    settings.FEDERATION_ALLOW_INSECURE = True
    http.check_url("http://127.0.0.1:8001/actor")


@pytest.fixture
def served(settings, monkeypatch):
    settings.FEDERATION_ALLOW_INSECURE = True
    routes = {}

    def handler(request):
        return routes.get(str(request.url), httpx.Response(404))

    monkeypatch.setattr(http, "transport", httpx.MockTransport(handler))
    return routes


def test_oversized_documents_are_refused(served):
    served["https://big.example/actor"] = httpx.Response(200, content=b" " * (300 * 1024))
    with pytest.raises(FetchError, match="too large"):
        http.fetch_json("https://big.example/actor")


def test_redirects_are_followed_a_few_times_then_refused(served):
    for hop in range(5):
        served[f"https://r.example/{hop}"] = httpx.Response(
            302, headers={"Location": f"https://r.example/{hop + 1}"}
        )
    served["https://r.example/2"] = httpx.Response(200, json={"ok": True})
    assert http.fetch_json("https://r.example/0") == {"ok": True}
    served["https://r.example/2"] = httpx.Response(302, headers={"Location": "/3"})
    with pytest.raises(FetchError, match="redirects"):
        http.fetch_json("https://r.example/0")


@pytest.mark.parametrize("body", [b"<html>", b"[1]"])
def test_non_object_documents_are_refused(served, body):
    served["https://x.example/a"] = httpx.Response(200, content=body)
    with pytest.raises(FetchError):
        http.fetch_json("https://x.example/a")


def test_error_status_is_refused(served):
    with pytest.raises(FetchError, match="404"):
        http.fetch_json("https://x.example/missing")
