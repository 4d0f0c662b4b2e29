"""/api/v1/members/funds: the ledger through the API — scoped lists and summaries, writes with the
structured errors (422/409/404), receipts as base64, reversal, allocation and dues return."""

import base64
import datetime as dt
from decimal import Decimal

import pytest

from sanxin.core.models import StoredFile
from sanxin.members.funds import services
from sanxin.members.funds.models import FundEntry, FundKind
from tests.helpers import ApiClient, assert_error
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
BASE = "/api/v1/members/funds"


@pytest.fixture
def w():
    return build_world()


def _income(org, amount="1000", on=None):
    return services.entry_record(
        actor=None,
        org=org,
        kind=FundKind.OTHER_INCOME,
        amount=amount,
        occurred_on=on or dt.date(2025, 1, 10),
        note=f"收入{LEAK_MARKER}" if "越界" in org.name else "收入",
    )


def test_list_and_summary_are_scoped(w):
    _income(w.branch_a)
    _income(w.branch_b)
    api = ApiClient(w.secretary_a)
    r = api.get(f"{BASE}/entries")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["items"][0]["org_id"] == w.branch_a.pk
    assert body["items"][0]["amount"] == "1000.00" and LEAK_MARKER not in r.content.decode()
    assert_error(api.get(f"{BASE}/entries", {"org_id": w.branch_b.pk}), 404)
    s = api.get(f"{BASE}/orgs/{w.branch_a.pk}/summary", {"year": 2025}).json()
    assert s["balance"] == "1000.00" and s["months"][0]["month"] == "2025-01-01"
    assert s["months"][0]["other_income"] == "1000.00" and s["months"][0]["closing"] == "1000.00"
    assert_error(api.get(f"{BASE}/orgs/{w.branch_b.pk}/summary"), 404)
    assert_error(ApiClient(w.instructor_1).get(f"{BASE}/entries"), 403)


def test_record_spending_with_a_receipt_and_the_errors(w):
    _income(w.branch_a)
    api = ApiClient(w.secretary_a)
    url = f"{BASE}/orgs/{w.branch_a.pk}/entries"
    spending = {"kind": "spending", "amount": "120.50", "occurred_on": "2025-02-01", "category": "study"}
    err = assert_error(api.post(url, spending), 422, "no_receipt")
    assert "凭证" in err["message"]
    receipt = {"name": "发票.png", "content_base64": base64.b64encode(PNG).decode()}
    r = api.post(url, {**spending, "receipt": receipt})
    assert r.status_code == 201, r.content
    entry = r.json()
    assert entry["amount"] == "-120.50" and entry["receipt_url"].startswith("/files/")
    assert api.client.get(entry["receipt_url"], headers=api._headers()).status_code in {200, 302, 403}
    bad = {"name": "发票.png", "content_base64": base64.b64encode(b"not an image").decode()}
    assert_error(api.post(url, {**spending, "receipt": bad}), 422, "bad_type")
    assert_error(api.post(url, {**spending, "receipt": {"name": "a.png", "content_base64": "%%%"}}), 422)
    assert_error(
        api.post(url, {**spending, "amount": "5000", "receipt": receipt}), 409, "insufficient_balance"
    )
    assert_error(api.post(url, {"kind": "other_income", "amount": "-1", "occurred_on": "2025-02-01"}), 422)
    assert_error(api.post(url, {"kind": "allocation_out", "amount": "1", "occurred_on": "2025-02-01"}), 422)
    assert_error(api.post(f"{BASE}/orgs/{w.branch_b.pk}/entries", spending), 404)
    assert FundEntry.objects.filter(kind=FundKind.SPENDING).count() == 1
    # refused spendings stored no receipt
    assert StoredFile.objects.filter(purpose=services.RECEIPT_PURPOSE).count() == 1


def test_reverse_allocate_and_dues_return(w):
    income = _income(w.committee_x, "3000")
    api = ApiClient(w.industry_x)
    r = api.post(
        f"{BASE}/orgs/{w.committee_x.pk}/allocations",
        {"target_id": w.branch_a.pk, "amount": "1000", "occurred_on": "2025-03-01"},
    )
    assert r.status_code == 201, r.content
    pair = r.json()
    assert pair["outflow"]["amount"] == "-1000.00" and pair["inflow"]["org_id"] == w.branch_a.pk
    assert pair["outflow"]["transfer"] == pair["inflow"]["transfer"]
    assert_error(
        api.post(
            f"{BASE}/orgs/{w.committee_x.pk}/allocations",
            {"target_id": w.branch_b.pk, "amount": "1", "occurred_on": "2025-03-01"},
        ),
        404,
    )
    r = api.post(f"{BASE}/entries/{pair['inflow']['id']}/reverse", {"reason": "错拨"})
    assert r.status_code == 201 and len(r.json()) == 2
    assert_error(
        api.post(f"{BASE}/entries/{pair['inflow']['id']}/reverse", {"reason": "再冲"}),
        409,
        "already_reversed",
    )
    listed = api.get(f"{BASE}/entries", {"org_id": w.committee_x.pk}).json()["items"]
    assert [e["reversed_by_id"] is not None for e in listed] == [False, True, False]
    assert listed[2]["reverses_id"] == listed[1]["id"]
    assert_error(api.post(f"{BASE}/entries/{income.pk}/reverse", {"reason": ""}), 422)
    p = api.get(
        f"{BASE}/orgs/{w.branch_a.pk}/dues-return-proposal",
        {"period_from": "2025-01-01", "period_to": "2025-03-31"},
    )
    assert p.status_code == 200 and p.json()["collected"] == "0.00" and p.json()["share"] == "0.50"
    assert_error(
        api.post(
            f"{BASE}/orgs/{w.branch_a.pk}/dues-returns",
            {"period_from": "2025-01-01", "period_to": "2025-03-01", "occurred_on": "2025-04-10"},
        ),
        409,
        "nothing_collected",
    )
    assert Decimal(api.get(f"{BASE}/orgs/{w.committee_x.pk}/summary").json()["balance"]) == Decimal("3000")
