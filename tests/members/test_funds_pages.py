"""党组织经费 pages: the overview, an org's ledger with balance, monthly summary and filters, the forms
(Chinese errors, status 400, nothing lost), reversal, allocation, dues return, and the Excel export."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sanxin.core.models import AuditLog
from sanxin.members import services as member_services
from sanxin.members.dues import Basis
from sanxin.members.funds import services
from sanxin.members.funds.models import FundEntry, FundKind
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
D = dt.date


@pytest.fixture
def w():
    return build_world()


def client(user):
    c = Client()
    c.force_login(user)
    return c


def _income(org, amount="1000", on=D(2025, 1, 10), note="收入"):  # noqa: B008
    return services.entry_record(
        actor=None, org=org, kind=FundKind.OTHER_INCOME, amount=amount, occurred_on=on, note=note
    )


def test_overview_and_ledger_are_scoped(w):
    _income(w.branch_a, "1000")
    _income(w.branch_b, "777", note=f"收入{LEAK_MARKER}")
    c = client(w.secretary_a)
    html = c.get("/members/funds/", {"year": 2025}).content.decode()
    assert w.branch_a.name in html and "1000.00" in html and LEAK_MARKER not in html
    assert "党组织经费" in c.get("/").content.decode()  # the nav entry
    html = c.get(f"/members/funds/orgs/{w.branch_a.pk}/", {"year": 2025}).content.decode()
    assert 'data-testid="funds-balance"' in html and "1000.00" in html and "2025-01" in html
    assert c.get(f"/members/funds/orgs/{w.branch_b.pk}/").status_code == 404
    assert client(w.instructor_1).get("/members/funds/").status_code == 403


def test_ledger_filters_and_running_balance(w):
    _income(w.branch_a, "1000", on=D(2024, 12, 1))
    _income(w.branch_a, "234.50", on=D(2025, 2, 1))
    c = client(w.secretary_a)
    html = c.get(f"/members/funds/orgs/{w.branch_a.pk}/", {"date_from": "2025-01-01"}).content.decode()
    assert "上期结转 1000.00 元" in html and "1234.50" in html and "2024-12-01" not in html
    html = c.get(f"/members/funds/orgs/{w.branch_a.pk}/", {"kind": "spending"}).content.decode()
    assert "没有收支记录" in html
    html = c.get(
        f"/members/funds/orgs/{w.branch_a.pk}/", {"date_from": "2025-03-01", "date_to": "2025-01-01"}
    ).content.decode()
    assert "止日期不能早于起日期" in html


def test_entry_form_refuses_spending_without_receipt_and_keeps_the_input(w):
    _income(w.branch_a)
    c = client(w.secretary_a)
    url = f"/members/funds/orgs/{w.branch_a.pk}/new/"
    assert c.get(url).status_code == 200
    data = {
        "kind": "spending",
        "amount": "88.80",
        "occurred_on": "2025-02-03",
        "category": "care",
        "counterpart": "新河超市",
        "note": "慰问患病党员",
    }
    r = c.post(url, data)
    html = r.content.decode()
    assert r.status_code == 400 and "支出须上传凭证" in html and "慰问患病党员" in html and "88.80" in html
    r = c.post(url, {**data, "amount": "9999"} | {"receipt": SimpleUploadedFile("发票.png", PNG)})
    assert r.status_code == 400 and "余额不足" in r.content.decode()
    r = c.post(url, {**data, "receipt": SimpleUploadedFile("发票.png", b"text")})
    assert r.status_code == 400 and "文件类型不符合要求" in r.content.decode()
    r = c.post(url, {**data, "amount": "abc", "receipt": SimpleUploadedFile("发票.png", PNG)})
    assert r.status_code == 400 and "金额应为数字" in r.content.decode()
    assert not FundEntry.objects.filter(kind=FundKind.SPENDING).exists()
    r = c.post(url, {**data, "receipt": SimpleUploadedFile("发票.png", PNG)})
    assert r.status_code == 302
    spending = FundEntry.objects.get(kind=FundKind.SPENDING)
    assert spending.amount == Decimal("-88.80") and spending.created_by == w.secretary_a
    html = c.get(f"/members/funds/orgs/{w.branch_a.pk}/").content.decode()
    assert "发票.png" in html and f"/files/{spending.receipt_id}/" in html
    assert c.get(f"/files/{spending.receipt_id}/").status_code == 200  # the ledger's reader reads it
    assert client(w.secretary_b).get(f"/files/{spending.receipt_id}/").status_code == 404
    assert client(w.secretary_b).post(url, data).status_code == 404


def test_reverse_allocate_and_dues_return_pages(w):
    _income(w.committee_x, "5000")
    income = _income(w.committee_x, "100", note="重复登记的收入")
    c = client(w.industry_x)
    url = f"/members/funds/entries/{income.pk}/reverse/"
    r = c.post(url, {"reason": ""})
    assert r.status_code == 400 and "这个字段是必填项" in r.content.decode()
    r = c.post(
        f"/members/funds/orgs/{w.committee_x.pk}/allocate/",
        {"target": w.branch_a.pk, "amount": "6000", "occurred_on": "2025-03-01"},
    )
    assert r.status_code == 400 and "余额不足" in r.content.decode()
    html = c.get(f"/members/funds/orgs/{w.committee_x.pk}/allocate/").content.decode()
    assert w.branch_a.name in html and LEAK_MARKER not in html
    r = c.post(
        f"/members/funds/orgs/{w.committee_x.pk}/allocate/",
        {"target": w.branch_a.pk, "amount": "600", "occurred_on": "2025-03-01"},
    )
    assert r.status_code == 302
    assert FundEntry.objects.filter(org=w.branch_a, kind=FundKind.ALLOCATION_IN, amount=600).exists()
    r = c.post(url, {"reason": "重复登记"})
    assert r.status_code == 302 and FundEntry.objects.filter(reverses=income).exists()
    assert client(w.secretary_a).get(url).status_code == 404  # the committee's entry is not the branch's
    # dues return: the proposal from the collected dues, then the entry
    member_services.income_declare(
        actor=None, member=w.member_a, basis=Basis.SALARY, amount="6000", month=D(2025, 1, 1)
    )
    member_services.dues_pay(
        actor=None,
        member=w.member_a,
        month_from=D(2025, 1, 1),
        month_to=D(2025, 3, 1),
        channel="cash",
        paid_on=D(2025, 1, 5),
    )
    s = client(w.secretary_a)
    ret = f"/members/funds/orgs/{w.branch_a.pk}/dues-return/"
    html = s.get(ret, {"period_from": "2025-01", "period_to": "2025-03"}).content.decode()
    assert 'data-testid="proposal"' in html and "270.00" in html and "135.00" in html
    r = s.post(ret, {"period_from": "2025/13", "period_to": "2025-03", "occurred_on": "2025-04-10"})
    assert r.status_code == 400 and "月份格式应为" in r.content.decode()
    r = s.post(ret, {"period_from": "2025-01", "period_to": "2025-03", "occurred_on": "2025-04-10"})
    assert r.status_code == 302
    assert FundEntry.objects.get(org=w.branch_a, kind=FundKind.DUES_RETURN).amount == 135
    r = s.post(ret, {"period_from": "2025-02", "period_to": "2025-02", "occurred_on": "2025-04-10"})
    assert r.status_code == 400 and "党费已返还" in r.content.decode()


def test_excel_export_is_audited_and_needs_the_export_permission(w):
    _income(w.branch_a, "1000", on=D(2025, 1, 10))
    services.entry_record(
        actor=None,
        org=w.branch_a,
        kind=FundKind.SPENDING,
        category="study",
        amount="100",
        occurred_on=D(2025, 2, 1),
        receipt_upload=SimpleUploadedFile("发票.png", PNG),
        note="学习资料",
    )
    c = client(w.secretary_a)
    r = c.get(f"/members/funds/orgs/{w.branch_a.pk}/", {"year": 2025, "export": "xlsx"})
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:6] == ("日期", "类别", "支出用途", "收入（元）", "支出（元）", "余额（元）")
    assert rows[1][3] == 1000 and rows[2][4] == 100 and rows[2][5] == 900 and rows[2][8] == "发票.png"
    summary = list(wb.worksheets[1].iter_rows(values_only=True))
    assert summary[1][0] == "2025-01" and summary[2][-1] == 900
    assert AuditLog.objects.filter(
        action="export", object_id=str(w.branch_a.pk), actor_id=w.secretary_a.pk, message__contains="经费台账"
    ).exists()
    from sanxin.accounts.services import grant_create
    from tests.factories import UserFactory

    viewer = UserFactory()
    grant_create(actor=None, user=viewer, role="member", org=w.branch_a)
    assert client(viewer).get(f"/members/funds/orgs/{w.branch_a.pk}/", {"export": "xlsx"}).status_code == 403


def test_ledger_and_overview_read_in_a_fixed_number_of_queries(w):
    from tests.helpers import assert_max_queries

    for i in range(30):
        _income(w.branch_a, "10", on=D(2025, 1 + i % 12, 1 + i % 27))
    c = client(w.industry_x)
    c.get("/members/funds/")  # session and permission caches warm
    with assert_max_queries(14):
        r = c.get(f"/members/funds/orgs/{w.branch_a.pk}/", {"year": 2025})
    assert r.status_code == 200 and r.content.decode().count("<td>收入</td>") == 30
    with assert_max_queries(10):
        assert c.get("/members/funds/", {"year": 2025}).status_code == 200
