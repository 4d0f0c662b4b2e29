"""The walker must catch a route that ignores the scope (otherwise its silence proves nothing)."""

import pytest

from tests.accounts import walker as walker_module
from tests.accounts.leaky_urls import leaky_api
from tests.accounts.walker import Walker, api_routes, page_routes
from tests.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.leaky_urls")]


def test_walker_catches_leaking_pages(monkeypatch):
    monkeypatch.setitem(walker_module.PAYLOADS, ("POST", "/leaky/{org_id}/write/"), lambda w, t: {})
    routes = [
        r
        for r in page_routes("tests.accounts.leaky_urls", skip=("leakyapi/",))
        if r.template.startswith("/leaky/")
    ]
    leaks = Walker(build_world()).walk(routes)
    text = "\n".join(leaks)
    assert "GET /leaky/ as" in text and "shows data outside the scope" in text
    assert "GET /leaky/{org_id}/ as" in text and "answered 200" in text
    assert "POST /leaky/{org_id}/write/ as" in text and "data changed" in text


def test_walker_catches_a_leaking_api_route():
    leaks = Walker(build_world()).walk(api_routes(leaky_api, prefix="/leakyapi"))
    assert any("GET /leakyapi/orgs as" in x and "outside the scope" in x for x in leaks), leaks


def test_walker_requires_payload_factories_for_writes():
    routes = [
        r
        for r in page_routes("tests.accounts.leaky_urls")
        if r.template.startswith("/leaky/") and "write" in r.template
    ]
    leaks = Walker(build_world()).walk(routes)
    assert any("without a payload factory" in x for x in leaks), leaks
