"""Every API operation and page, as users of org A / industry X / street S / an instructor, against
objects of org B / industry Y / street T / another instructor's orgs: no leak by any route."""

import pytest

from sanxin.api import api
from tests.accounts.walker import PAYLOADS, Walker, api_routes, page_routes
from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_every_route_declares_a_permission_with_a_matrix_row():
    missing = [str(r) for r in api_routes(api) + page_routes() if r.perm is None]
    assert missing == [], "routes without a declared permission: " + ", ".join(missing)


def test_walker_finds_no_leak_on_any_api_route():
    world = build_world()
    walker = Walker(world)
    leaks = walker.walk(api_routes(api))
    assert leaks == [], "\n".join(leaks)
    assert walker.checked > 20


def test_walker_finds_no_leak_on_any_page():
    world = build_world()
    walker = Walker(world)
    leaks = walker.walk(page_routes())
    assert leaks == [], "\n".join(leaks)
    assert walker.checked > 20


def test_payload_factories_name_existing_routes():
    known = {(r.method, r.template) for r in api_routes(api) + page_routes()}
    assert set(PAYLOADS) <= known, set(PAYLOADS) - known
