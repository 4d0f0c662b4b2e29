import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from stdnum.cn import uscc

from sanxin.registry import services
from sanxin.registry.models import Organization
from tests.helpers import ApiClient, assert_error
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def test_register_with_validated_unique_credit_code(w):
    api = ApiClient(w.street_s_user)
    payload = {
        "name": "城关快递驿站",
        "region": "390102001000",
        "registered_on": "2023-01-01",
        "kind": "outlet",
        "credit_code": "91390102MA00000001",
    }
    err = assert_error(api.post("/api/v1/registry/organizations", payload), 422)
    assert err["details"][0]["loc"] == ["credit_code"] and "校验位" in err["message"]
    good = code("N2390102MA0000000")  # a letter registration-authority code, which stdnum rejects
    r = api.post("/api/v1/registry/organizations", payload | {"credit_code": good})
    assert r.status_code == 201 and r.json()["credit_code"] == good and r.json()["work_covered"] is False
    assert_error(
        api.post("/api/v1/registry/organizations", payload | {"credit_code": good, "name": "另一家"}),
        409,
        "duplicate",
    )
    # outside the street: refused as not found
    assert_error(
        api.post("/api/v1/registry/organizations", payload | {"region": "390103001000", "credit_code": ""}),
        404,
    )


def test_list_filters_gaps_and_history(w):
    api = ApiClient(w.industry_x)
    body = api.get("/api/v1/registry/organizations").json()
    assert [o["name"] for o in body["items"]] == ["蜂鸟速递城关站"]
    assert body["items"][0]["org_covered"] is True
    assert api.get("/api/v1/registry/organizations", {"gap": "blank"}).json()["count"] == 0
    old = api.get("/api/v1/registry/organizations", {"on": "2021-01-01"}).json()["items"][0]
    assert old["org_covered"] is False and old["work_covered"] is False
    office = ApiClient(w.office)
    rates = office.get("/api/v1/registry/coverage", {"by": "industry_id"}).json()
    assert {r["key"]: (r["org_covered"], r["total"]) for r in rates} == {
        "express": (1, 1),
        "transport": (1, 1),
    }
    assert office.get("/api/v1/registry/coverage", {"on": "2021-01-01"}).json()[0]["org_covered"] == 0


def test_contacts_visits_and_close(w):
    api = ApiClient(w.industry_x)
    org = w.enterprise_a
    person = w.branch_a.people.first()
    r = api.post(
        f"/api/v1/registry/organizations/{org.pk}/contacts",
        {"person_id": person.pk, "role": "fulltime", "start_on": "2024-01-01"},
    )
    assert r.status_code == 201 and r.json()["role"] == "fulltime"
    r = api.post(
        f"/api/v1/registry/organizations/{org.pk}/visits", {"date": "2024-02-01", "content": "走访了解用工"}
    )
    assert r.status_code == 201
    r = api.post(f"/api/v1/registry/organizations/{org.pk}/close", {"on": "2025-01-01"})
    assert r.json()["status"] == "cancelled"
    assert api.get("/api/v1/registry/organizations").json()["count"] == 0
    assert api.get("/api/v1/registry/organizations", {"on": "2024-12-31"}).json()["count"] == 1
    org.refresh_from_db()
    assert not org.coverages.filter(end_on__isnull=True).exists()


def test_ledger_export_and_gap_list(w):
    services.organization_create(
        actor=None,
        name="未覆盖的网点",
        region=w.enterprise_a.region,
        industry=w.enterprise_a.industry,
        registered_on=dt.date(2022, 1, 1),
    )
    c = Client()
    c.force_login(w.industry_x)
    html = c.get("/registry/organizations/", {"gap": "blank"}).content.decode()
    assert "未覆盖的网点" in html and "蜂鸟速递城关站" not in html and LEAK_MARKER not in html
    r = c.get("/registry/organizations/", {"gap": "blank", "export": "xlsx"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("组织名称", "统一社会信用代码") and wb.active.freeze_panes == "A2"
    assert [row[0] for row in rows[1:]] == ["未覆盖的网点"] and rows[1][-2] == "空白点"


def test_dashboard_detail_and_forms(w):
    c = Client()
    c.force_login(w.industry_x)
    html = c.get("/registry/").content.decode()
    assert "组织覆盖率" in html and 'data-testid="org-rate">100%' in html
    detail = c.get(f"/registry/organizations/{w.enterprise_a.pk}/").content.decode()
    assert "一企一档" in detail and "骑手流动党员党支部" in detail and "已组织覆盖" in detail
    assert c.get(f"/registry/organizations/{w.enterprise_b.pk}/").status_code == 404
    r = c.post(
        "/registry/organizations/new/",
        {
            "name": "新",
            "registered_on": "2024-01-01",
            "category": "economic",
            "kind": "outlet",
            "employees": "-1",
            "new_employment_workers": "0",
        },
    )
    body = r.content.decode()
    assert (
        r.status_code == 400 and "名称至少2个字" in body and "不能为负数" in body and "请选择所在区划" in body
    )
    r = c.post(
        f"/registry/organizations/{w.enterprise_a.pk}/visits/",
        {"date": "2024-13-01", "kind": "routine", "content": ""},
    )
    assert "请填写走访内容" in r.content.decode() and "日期格式应为" in r.content.decode()
    r = c.post(
        f"/registry/organizations/{w.enterprise_a.pk}/visits/",
        {"date": "2024-03-01", "kind": "routine", "content": "了解骑手休息需求"},
    )
    assert r.status_code == 302
    assert "了解骑手休息需求" in c.get(r["Location"]).content.decode()


def test_demo_builds_a_registry(demo_db):
    from sanxin.core.scope import Scope
    from sanxin.registry import coverage

    rates = coverage.rates(Scope.all(), dt.date.today())
    assert rates.total > 250 and 0 < rates.org_covered < rates.work_covered < rates.total
    assert (
        Organization.objects.filter(contacts__role="instructor").values("contacts__person").distinct().count()
        == 23
    )


def test_end_coverage_and_record_incubation_from_the_file_page(w):
    c = Client()
    c.force_login(w.industry_x)
    cov = w.enterprise_a.coverages.get()
    contact = w.enterprise_a.contacts.get()
    r = c.post(f"/registry/coverages/{cov.pk}/end/", {"end_on": "2020-01-01"})
    assert r.status_code == 302
    assert "结束日期应晚于开始日期" in c.get(r["Location"]).content.decode()
    c.post(f"/registry/coverages/{cov.pk}/end/", {"end_on": "2026-06-01"})
    cov.refresh_from_db()
    assert cov.end_on == dt.date(2026, 6, 1)
    c.post(f"/registry/contacts/{contact.pk}/incubation/", {"incubation": "已物色党员骨干2名"})
    html = c.get(f"/registry/organizations/{w.enterprise_a.pk}/").content.decode()
    assert "孵化进度：已物色党员骨干2名" in html
    assert (
        c.post(
            f"/registry/coverages/{w.enterprise_b.coverages.get().pk}/end/", {"end_on": "2026-06-01"}
        ).status_code
        == 404
    )
