"""The stored transparency ledger: appends, roots and proofs from O(log n) stored nodes, signed heads,
membership events recorded, the public and scoped API, proof bundles checked offline, and
``sanxin ledger verify`` catching a tampered leaf, node or membership row by its index."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sanxin.members import services as member_services
from sanxin.members.models import OrgRelation, RelationKind
from sanxin.orgs import services as org_services
from sanxin.transfers import merkle
from sanxin.transfers.ledger import note, selectors, services
from sanxin.transfers.ledger.models import LedgerHead, LedgerLeaf, LedgerNode, LedgerOpening, node_key
from tests.factories import UserFactory
from tests.helpers import ApiClient, assert_error, assert_max_queries
from tests.world import build_world

pytestmark = pytest.mark.django_db
D = dt.date


def _fill(n: int, seed: int = 1) -> list[bytes]:
    rnd = random.Random(seed)
    out = []
    i = 0
    while i < n:
        batch = [("test.event", {"n": i + k}, None) for k in range(min(n - i, rnd.randrange(1, 30)))]
        out += [bytes(leaf.commitment) for leaf in services.append_many(batch)]
        i += len(batch)
    return out


def test_stored_roots_and_proofs_equal_the_pure_module_in_log_reads():
    leaves = _fill(300)
    assert selectors.size() == 300
    assert LedgerNode.objects.count() == 2 * 300 - bin(300).count("1")
    rnd = random.Random(2)
    for _ in range(60):
        n = rnd.randrange(1, 301)
        i, m = rnd.randrange(n), rnd.randrange(1, n + 1)
        with assert_max_queries(2):  # the size, then the nodes by primary key
            path = selectors.inclusion(i, n)
        assert path == merkle.inclusion_proof(leaves[:n], i)
        with assert_max_queries(2):
            proof = selectors.consistency(m, n)
        assert proof == merkle.consistency_proof(leaves[:n], m)
        with assert_max_queries(1):
            assert selectors.root(n) == merkle.root(leaves[:n])


def test_openings_open_the_commitments_and_shredding_keeps_the_tree(office_user):
    services.append_many([("test.event", {"member_id": k, "on": "2024-01-02"}, None) for k in range(5)])
    o = LedgerOpening.objects.select_related("leaf").get(pk=3)
    assert note.commitment(bytes(o.salt), o.event) == bytes(o.leaf.commitment)
    assert json.loads(o.event) == {"v": 1, "kind": "test.event", "member_id": 3, "on": "2024-01-02"}
    root = selectors.root(5)
    services.opening_shred(actor=office_user, index=3, reason="个人信息删除请求")
    o.refresh_from_db()
    assert o.salt is None and o.event is None and o.shredded_at is not None
    assert selectors.root(5) == root
    assert merkle.verify_inclusion(bytes(o.leaf.commitment), 3, 5, selectors.inclusion(3, 5), root)
    call_command("ledger", "verify")


def test_heads_are_signed_after_commit_and_kept(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.append(kind="test.event", event={"n": 1})
    with django_capture_on_commit_callbacks(execute=True):
        services.append_many([("test.event", {"n": k}, None) for k in range(2, 5)])
    assert list(LedgerHead.objects.values_list("size", flat=True)) == [1, 4]
    public = services.public_keys()["dev"]
    for h in LedgerHead.objects.all():
        assert bytes(h.root) == selectors.root(h.size)
        cp = note.parse_note(selectors.signed_note(h), public, services.origin())
        assert cp.size == h.size and cp.root == bytes(h.root)
        bad = bytearray(bytes(h.signature))
        bad[0] ^= 1
        assert not note.verify_signature(cp, bytes(bad), public)


def _member(w, name, org):
    p, _ = org_services.person_create(actor=None, name=name, org=org, birth_date=D(1995, 5, 1))
    return member_services.member_register(actor=w.office, person=p, org=org, joined_on=D(2020, 7, 1))


@pytest.fixture
def w(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world()
    return world


def test_membership_changes_are_recorded_without_personal_data(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        m = _member(w, "李骑手", w.branch_a)
    with django_capture_on_commit_callbacks(execute=True):
        member_services.membership_move(actor=w.office, member=m, org=w.branch_c, on=D(2023, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        member_services.member_convert(actor=w.office, member=m, on=D(2021, 7, 1))
    mine = [json.loads(o.event) for o in LedgerOpening.objects.filter(member_id=m.pk).order_by("leaf_id")]
    assert [e["kind"] for e in mine] == ["members.registered", "members.moved", "members.converted"]
    assert mine[1] == {
        "v": 1,
        "kind": "members.moved",
        "member_id": m.pk,
        "relation": "formal",
        "from_org_id": w.branch_a.pk,
        "to_org_id": w.branch_c.pk,
        "on": "2023-06-01",
        "source": "move",
    }
    for o in LedgerOpening.objects.all():
        assert "李骑手" not in o.event
    call_command("ledger", "verify")


def test_transfer_events_are_recorded_from_their_payload(w, django_capture_on_commit_callbacks):
    from sanxin.core import events

    with django_capture_on_commit_callbacks(execute=True):
        events.publish(
            "transfers.accepted",
            {"member_id": w.member_b.pk, "transfer_id": 77, "to_org_id": w.branch_a.pk, "reason": "回乡"},
        )
    o = LedgerOpening.objects.order_by("-leaf_id").first()
    assert o.leaf.kind == "transfers.accepted" and o.member_id == w.member_b.pk
    assert json.loads(o.event) == {
        "v": 1,
        "kind": "transfers.accepted",
        "member_id": w.member_b.pk,
        "transfer_id": 77,
        "to_org_id": w.branch_a.pk,
    }


# --- verify catches tampering, naming the index ------------------------------------------------------


def _verify_fails(match: str):
    with pytest.raises(CommandError, match=match):
        call_command("ledger", "verify")


def test_verify_detects_a_tampered_leaf(w):
    services.sign_head()
    call_command("ledger", "verify")
    n = selectors.size()
    assert n > 3
    LedgerLeaf.objects.filter(index=2).update(commitment=b"\x07" * 32)
    _verify_fails("叶子 2：")


def test_verify_detects_a_tampered_node(w):
    services.sign_head()
    call_command("ledger", "verify")
    LedgerNode.objects.filter(key=node_key(1, 1)).update(hash=b"\x01" * 32)
    _verify_fails("节点 第1层 1（叶子 2–3）")


def test_verify_detects_a_tampered_membership_row(w):
    call_command("ledger", "verify")
    row = OrgRelation.objects.filter(member=w.member_b, kind=RelationKind.FORMAL).first()
    OrgRelation.objects.filter(pk=row.pk).update(start_on=row.start_on - dt.timedelta(days=1))
    _verify_fails(f"党员 {w.member_b.pk}：组织关系记录 {row.pk}")


# --- API ------------------------------------------------------------------------------------------------


def test_public_routes_need_no_login(w):
    services.sign_head()
    anon = ApiClient()
    sth = anon.get("/api/v1/ledger/sth").json()
    n = sth["size"]
    assert n == selectors.size() and base64.b64decode(sth["root"]) == selectors.root(n)
    assert anon.get(f"/api/v1/ledger/sth/{n}").json() == sth
    assert_error(anon.get("/api/v1/ledger/sth/99999"), 404)
    keys = anon.get("/api/v1/ledger/public-key").json()
    public = base64.b64decode(keys["keys"][0]["public_key"])
    assert note.parse_note(sth["checkpoint"], public).size == n
    body = anon.get("/api/v1/ledger/proof/consistency", {"first": 1, "second": n}).json()
    proof = [base64.b64decode(p) for p in body["proof"]]
    assert merkle.verify_consistency(1, n, selectors.root(1), selectors.root(n), proof)
    assert_error(anon.get("/api/v1/ledger/proof/consistency", {"first": 0, "second": n}), 422)
    assert_error(anon.get("/api/v1/ledger/proof/consistency", {"first": 2, "second": n + 5}), 422)
    assert_error(anon.get("/api/v1/ledger/proof/inclusion", {"index": 0, "size": n}), 401)
    assert_error(anon.get("/api/v1/ledger/entries", {"end": n}), 401)


def _index_of(member):
    return (
        LedgerOpening.objects.filter(member_id=member.pk)
        .order_by("leaf_id")
        .values_list("leaf_id", flat=True)[0]
    )


def test_scoped_routes_a_member_and_offices_see_only_theirs(w, tmp_path):
    services.sign_head()
    n = selectors.size()
    a, b = _index_of(w.member_a), _index_of(w.member_b)
    # the member themselves
    owner = UserFactory()
    w.member_a.person.user = owner
    w.member_a.person.save(update_fields=["user"])
    for user, sees, not_sees in [(owner, a, b), (w.secretary_a, a, b)]:
        api = ApiClient(user)
        got = api.get("/api/v1/ledger/entries", {"start": 0, "end": n}).json()
        indexes = {e["index"] for e in got}
        assert sees in indexes and not_sees not in indexes
        assert all(e["member_id"] in (w.member_a.pk,) or user is w.secretary_a for e in got)
        ok = api.get("/api/v1/ledger/proof/inclusion", {"index": sees, "size": n}).json()
        leaf = LedgerLeaf.objects.get(pk=sees)
        proof = [base64.b64decode(p) for p in ok["proof"]]
        assert merkle.verify_inclusion(bytes(leaf.commitment), sees, n, proof, selectors.root(n))
        assert_error(api.get("/api/v1/ledger/proof/inclusion", {"index": not_sees, "size": n}), 404)
        assert_error(api.get(f"/api/v1/ledger/entries/{not_sees}/bundle"), 404)
        resp = api.get(f"/api/v1/ledger/entries/{sees}/bundle")
        assert resp.status_code == 200
        path = tmp_path / f"b{user.pk}.txt"
        path.write_bytes(resp.content)
        vkey = ApiClient().get("/api/v1/ledger/public-key").json()["keys"][0]["verifier_key"]
        call_command("ledger", "check-bundle", str(path), "--key", vkey)
        # a single changed character in the opening, the proof or the checkpoint is refused
        text = resp.content.decode()
        for line_no in range(1, len(text.split("\n\n")[0].split("\n"))):
            lines = text.split("\n")
            lines[line_no] = (
                lines[line_no][:-3] + ("A" if lines[line_no][-3] != "A" else "B") + lines[line_no][-2:]
            )
            path.write_text("\n".join(lines))
            with pytest.raises(CommandError):
                call_command("ledger", "check-bundle", str(path), "--key", vkey)
    stranger = ApiClient(UserFactory())
    assert stranger.get("/api/v1/ledger/entries", {"end": n}).json() == []
    assert_error(stranger.get("/api/v1/ledger/entries", {"start": 5, "end": 2}), 422)


def test_appends_are_serialized_and_dense_on_postgresql(db_vendor):
    if connection.vendor != "postgresql":
        # SQLite: every write transaction is IMMEDIATE, so appenders queue at BEGIN
        assert connection.settings_dict.get("OPTIONS", {}).get("transaction_mode") == "IMMEDIATE"
    services.append_many([("test.event", {"n": k}, None) for k in range(10)])
    assert list(LedgerLeaf.objects.values_list("index", flat=True)) == list(range(10))
