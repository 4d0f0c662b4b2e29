"""The member's page of their own ledger events (proofs checked server-side), an office's view of a
member's events, and the proof-bundle download that ``sanxin ledger check-bundle`` verifies offline;
nobody reaches another member's events."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sanxin.transfers.ledger import selectors, services
from sanxin.transfers.ledger.models import LedgerHead, LedgerNode, LedgerOpening, node_key
from tests.accounts.walker import Walker, page_routes
from tests.factories import UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world()
    services.sign_head()
    return world


def _owner(member):
    user = UserFactory()
    member.person.user = user
    member.person.save(update_fields=["user"])
    return user


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _indexes(member) -> list[int]:
    return list(
        LedgerOpening.objects.filter(member=member).order_by("leaf_id").values_list("leaf_id", flat=True)
    )


def _rows(html: str) -> dict[int, str]:
    """index → the row's markup, from the events table."""
    return {int(i): row for i, row in re.findall(r'<tr data-index="(\d+)"(.*?)</tr>', html, re.S)}


def test_a_member_sees_their_own_events_verified_and_no_one_elses(w):
    owner = _owner(w.member_a)
    mine, theirs = _indexes(w.member_a), _indexes(w.member_b)
    assert mine and theirs
    c = _client(owner)
    me = c.get("/members/me/")
    assert 'href="/transfers/ledger/mine/"' in me.content.decode()
    resp = c.get("/transfers/ledger/mine/")
    assert resp.status_code == 200
    rows = _rows(resp.content.decode())
    assert sorted(rows) == mine
    latest = selectors.latest_head()
    for index, row in rows.items():
        assert "已验证" in row and 'data-testid="unverified"' not in row, row
        assert f"<td>{selectors.head_at_least(index + 1).size}</td>" in row
        assert f'href="/transfers/ledger/entries/{index}/bundle/"' in row
    assert f"树大小 {latest.size}" in resp.content.decode()
    # another member's bundle is not reachable by the owner, nor their office page
    for index in theirs:
        assert c.get(f"/transfers/ledger/entries/{index}/bundle/").status_code == 404
    assert c.get(f"/transfers/ledger/members/{w.member_b.pk}/").status_code == 403


def test_the_bundle_downloads_and_verifies_offline(w, tmp_path):
    owner = _owner(w.member_a)
    c = _client(owner)
    html = c.get("/transfers/ledger/mine/").content.decode()
    links = re.findall(r'href="(/transfers/ledger/entries/(\d+)/bundle/)"', html)
    assert links
    for href, index in links:
        resp = c.get(href)
        assert resp.status_code == 200
        assert resp["Content-Disposition"] == f'attachment; filename="ledger-proof-{index}.txt"'
        path = tmp_path / f"{index}.txt"
        path.write_bytes(resp.content)
        call_command("ledger", "check-bundle", str(path))
        # the bundle proves this member's event, not another one
        assert f"\nindex {index}\n" in resp.content.decode()
        path.write_bytes(
            resp.content.replace(f"\nindex {index}\n".encode(), f"\nindex {int(index) + 1}\n".encode())
        )
        with pytest.raises(CommandError, match="证明包校验失败"):
            call_command("ledger", "check-bundle", str(path))


def test_a_tampered_node_or_head_shows_the_failure(w):
    owner = _owner(w.member_a)
    c = _client(owner)
    index = _indexes(w.member_a)[0]
    size = selectors.head_at_least(index + 1).size
    assert size > 1
    sibling = index ^ 1 if (index ^ 1) < size else index - 1
    LedgerNode.objects.filter(key=node_key(0, sibling)).update(hash=b"\x05" * 32)
    row = _rows(c.get("/transfers/ledger/mine/").content.decode())[index]
    assert "已验证" not in row and f"包含证明与大小为 {size} 的签名树头的根哈希不符" in row
    latest = selectors.latest_head()
    LedgerHead.objects.filter(pk=latest.pk).update(signature=b"\x00" * 64)
    rows = _rows(c.get("/transfers/ledger/mine/").content.decode())
    assert all(f"大小为 {latest.size} 的签名树头签名无效" in r or "不符" in r for r in rows.values())


def test_shredded_and_not_yet_signed_events_say_so(w, office_user):
    owner = _owner(w.member_a)
    first = _indexes(w.member_a)[0]
    services.opening_shred(actor=office_user, index=first, reason="个人信息删除请求")
    services.append(
        kind="members.converted",
        event={"member_id": w.member_a.pk, "on": "2024-07-01"},
        member_id=w.member_a.pk,
    )
    pending = _indexes(w.member_a)[-1]
    rows = _rows(_client(owner).get("/transfers/ledger/mine/").content.decode())
    assert "原文已按规定销毁" in rows[first] and "bundle-link" not in rows[first]
    assert "尚未被签名树头覆盖" in rows[pending] and "bundle-link" not in rows[pending]
    assert _client(owner).get(f"/transfers/ledger/entries/{first}/bundle/").status_code == 404
    services.sign_head()
    rows = _rows(_client(owner).get("/transfers/ledger/mine/").content.decode())
    assert "已验证" in rows[pending]


def test_an_office_sees_a_member_in_its_scope_only(w):
    c = _client(w.secretary_a)
    detail = c.get(f"/members/{w.member_a.pk}/").content.decode()
    assert f'href="/transfers/ledger/members/{w.member_a.pk}/"' in detail
    resp = c.get(f"/transfers/ledger/members/{w.member_a.pk}/")
    assert resp.status_code == 200
    rows = _rows(resp.content.decode())
    assert sorted(rows) == _indexes(w.member_a) and all("已验证" in r for r in rows.values())
    assert c.get(f"/transfers/ledger/members/{w.member_b.pk}/").status_code == 404
    assert c.get(f"/transfers/ledger/entries/{_indexes(w.member_b)[0]}/bundle/").status_code == 404
    assert c.get(f"/transfers/ledger/entries/{_indexes(w.member_a)[0]}/bundle/").status_code == 200
    # the office's own "mine" page is theirs alone: not a member, no events of their scope
    mine = c.get("/transfers/ledger/mine/").content.decode()
    assert _rows(mine) == {} and "尚未登记为党员" in mine


def test_anonymous_callers_are_sent_to_login(w):
    index = _indexes(w.member_a)[0]
    for url in [
        "/transfers/ledger/mine/",
        f"/transfers/ledger/members/{w.member_a.pk}/",
        f"/transfers/ledger/entries/{index}/bundle/",
    ]:
        resp = Client().get(url)
        assert resp.status_code == 302 and "/login" in resp["Location"], url


def test_the_walker_finds_no_leak_on_the_ledger_pages(w):
    routes = [r for r in page_routes() if r.template.startswith("/transfers/ledger/")]
    assert {r.template for r in routes} >= {
        "/transfers/ledger/mine/",
        "/transfers/ledger/members/{member_id}/",
        "/transfers/ledger/entries/{index}/bundle/",
    }
    walker = Walker(w)
    assert walker.walk(routes) == []
    assert walker.checked >= 8
