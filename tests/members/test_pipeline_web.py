"""发展党员 API and pages: scoped lists with counts and filters, details with steps, writes through the
services with the rule's code (API) or a Chinese error on the form (pages), the quota page."""

import datetime as dt

import pytest
from django.test import Client

from sanxin.members.pipeline import services
from sanxin.members.pipeline.models import DevelopmentCase, Stage
from tests.helpers import ApiClient, assert_error
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def test_api_list_detail_and_writes_are_scoped(w):
    api = ApiClient(w.secretary_a)
    body = api.get("/api/v1/members/pipeline/").json()
    assert [c["id"] for c in body["items"]] == [w.case_a.pk] and LEAK_MARKER not in str(body)
    assert api.get("/api/v1/members/pipeline/", {"stage": "activist"}).json()["count"] == 0
    assert api.get("/api/v1/members/pipeline/", {"due": True}).json()["count"] == 0
    assert_error(api.get(f"/api/v1/members/pipeline/cases/{w.case_b.pk}"), 404)
    assert_error(
        api.post(
            f"/api/v1/members/pipeline/cases/{w.case_b.pk}/advance", {"stage": "activist", "on": "2024-06-01"}
        ),
        404,
    )
    err = assert_error(
        api.post(
            f"/api/v1/members/pipeline/cases/{w.case_a.pk}/advance",
            {"stage": "candidate", "on": "2024-06-01"},
        ),
        409,
        "step_order",
    )
    assert "按步骤" in err["message"]
    assert_error(
        api.post(
            f"/api/v1/members/pipeline/cases/{w.case_a.pk}/advance", {"stage": "activist", "on": "2024-13-01"}
        ),
        422,
    )
    detail = api.post(
        f"/api/v1/members/pipeline/cases/{w.case_a.pk}/advance",
        {
            "stage": "activist",
            "on": "2024-06-01",
            "documents": [{"name": "确定积极分子的支委会记录", "number": "支委〔2024〕2号"}],
        },
    ).json()
    assert [s["stage"] for s in detail["steps"]] == ["applicant", "activist"]
    assert (
        detail["steps"][1]["documents"][0]["number"] == "支委〔2024〕2号"
        and detail["next_due_on"] == "2025-06-01"
    )
    assert api.get("/api/v1/members/pipeline/", {"due": True}).json()["count"] == 1
    assert api.get("/api/v1/members/pipeline/", {"new_employment": True}).json()["count"] == 0
    err = assert_error(
        api.post(
            f"/api/v1/members/pipeline/cases/{w.case_a.pk}/advance",
            {"stage": "candidate", "on": "2025-05-31"},
        ),
        409,
        "activist_period",
    )
    assert "满一年" in err["message"]
    assert_error(
        api.post(
            f"/api/v1/members/pipeline/cases/{w.case_a.pk}/extend",
            {"on": "2025-01-01", "until": "2026-01-01", "reason": "x"},
        ),
        409,
        "not_probationary",
    )


def test_api_create_end_and_quotas(w):
    from sanxin.orgs.services import person_create

    person, _ = person_create(actor=None, name="郑新人", org=w.branch_a, birth_date=D(2010, 1, 1))
    api = ApiClient(w.secretary_a)
    assert_error(
        api.post(
            "/api/v1/members/pipeline/",
            {"person_id": person.pk, "org_id": w.branch_a.pk, "applied_on": "2026-01-01"},
        ),
        409,
        "too_young",
    )
    r = api.post(
        "/api/v1/members/pipeline/",
        {"person_id": person.pk, "org_id": w.branch_a.pk, "applied_on": "2028-01-02"},
    )
    assert_error(r, 409, "future_date")
    ended = api.post(
        f"/api/v1/members/pipeline/cases/{w.case_a.pk}/end", {"on": "2024-03-01", "reason": "本人撤回申请"}
    ).json()
    assert ended["status"] == "terminated" and ended["end_reason"] == "本人撤回申请"
    quotas = api.get("/api/v1/members/pipeline/quotas").json()
    assert [q["committee_id"] for q in quotas["items"]] == [] or LEAK_MARKER not in str(quotas)
    industry = ApiClient(w.industry_x).get("/api/v1/members/pipeline/quotas").json()
    assert [(q["committee_id"], q["total"], q["reserved"], q["used"]) for q in industry["items"]] == [
        (w.committee_x.pk, 6, 2, 0)
    ]
    assert_error(
        ApiClient(w.industry_x).post(
            "/api/v1/members/pipeline/quotas", {"committee_id": w.committee_x.pk, "year": 2026, "total": 9}
        ),
        403,
    )
    office = ApiClient(w.office)
    assert_error(
        office.post(
            "/api/v1/members/pipeline/quotas",
            {"committee_id": w.committee_x.pk, "year": 2026, "total": 3, "reserved": 4},
        ),
        422,
    )
    q = office.post(
        "/api/v1/members/pipeline/quotas",
        {"committee_id": w.committee_x.pk, "year": 2026, "total": 9, "reserved": 3},
    ).json()
    assert (q["total"], q["reserved"]) == (9, 3)
    assert_error(ApiClient(w.industry_x).get(f"/api/v1/members/pipeline/quotas/{w.quota_b.pk}"), 404)


def test_pages_list_counts_detail_form_error_and_quotas(w):
    c = Client()
    c.force_login(w.secretary_a)
    html = c.get("/members/pipeline/").content.decode()
    assert w.case_a.person.name in html and LEAK_MARKER not in html and 'data-testid="stage-counts"' in html
    assert "发展党员" in c.get("/members/").content.decode()  # linked from the member list
    assert "不在您的管理范围内" in c.get("/members/pipeline/", {"org": w.branch_b.code}).content.decode()
    assert c.get(f"/members/pipeline/{w.case_b.pk}/").status_code == 404
    page = c.get(f"/members/pipeline/{w.case_a.pk}/").content.decode()
    assert "下一步：入党积极分子" in page and "确定积极分子的支委会记录" in page
    r = c.post(
        f"/members/pipeline/{w.case_a.pk}/", {"action": "advance", "stage": "activist", "on": "2023-12-01"}
    )
    assert r.status_code == 400 and "日期不能早于上一步骤" in r.content.decode()
    assert DevelopmentCase.objects.get(pk=w.case_a.pk).stage == Stage.APPLICANT
    r = c.post(
        f"/members/pipeline/{w.case_a.pk}/",
        {
            "action": "advance",
            "stage": "activist",
            "on": "2024-03-01",
            "doc_name": "确定积极分子的支委会记录",
        },
    )
    assert r.status_code == 302
    assert DevelopmentCase.objects.get(pk=w.case_a.pk).stage == Stage.ACTIVIST
    r = c.post(
        "/members/pipeline/new/",
        {
            "name": "冯申请",
            "resident_id": "390102201001010013",
            "org": w.branch_a.code,
            "applied_on": "2026-01-05",
        },
    )
    assert r.status_code == 400
    assert "年满18周岁" in r.content.decode()
    assert (
        c.post(
            f"/members/pipeline/{w.case_b.pk}/", {"action": "end", "on": "2024-03-01", "reason": "越界"}
        ).status_code
        == 404
    )
    assert DevelopmentCase.objects.get(pk=w.case_b.pk).status == "open"
    assert (
        c.post(
            "/members/pipeline/quotas/set/", {"committee": w.committee_x.code, "year": "2026", "total": "1"}
        ).status_code
        == 403
    )
    c.force_login(w.office)
    r = c.post(
        "/members/pipeline/quotas/set/",
        {"committee": w.committee_x.code, "year": "2026", "total": "1", "reserved": "2"},
    )
    assert r.status_code == 400 and "预留名额不能超过发展名额" in r.content.decode()
    html = c.get("/members/pipeline/quotas/").content.decode()
    assert w.committee_x.name in html and 'data-testid="quota-form"' in html


def test_home_card_for_secretaries(w):
    services.case_advance(actor=None, case=w.case_a, stage=Stage.ACTIVIST, on=D(2024, 2, 1))
    c = Client()
    c.force_login(w.secretary_a)
    html = c.get("/").content.decode()
    assert 'data-testid="pipeline-card"' in html and w.case_a.person.name in html and LEAK_MARKER not in html
