"""双找双核 pages and API: upload through the core import pages (which link to the findings once the
job is done), the findings list with its filters, a finding's page with both checks and the forms
(Chinese errors, 400, nothing lost), and the same through /api/v1/members/findings."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanxin.core.excel import importer as imp
from sanxin.members.findings.models import Finding, FindingBatch, FindingCheck, FindingKind
from sanxin.members.models import Member
from tests.helpers import ApiClient, assert_error
from tests.members.test_findings import POCKET_ID, findings_world, run_list, standard_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return findings_world()


def test_upload_page_declares_the_list_and_hands_over_to_the_import_pages(world, client):
    w = world
    type(w.enterprise_a).objects.filter(pk=w.enterprise_a.pk).update(internet_platform=True)
    client.force_login(w.secretary_a)
    assert w.enterprise_a.name in client.get("/members/findings/upload/").content.decode()
    # no file: the form again, in Chinese, with what was chosen kept
    resp = client.post(
        "/members/findings/upload/", {"platform": w.enterprise_a.pk, "work_kind": "rider", "mode": "valid"}
    )
    assert resp.status_code == 400
    assert "请选择要导入的名单文件" in resp.content.decode()
    # a region outside the secretary's scope
    resp = client.post(
        "/members/findings/upload/",
        {
            "platform": w.enterprise_a.pk,
            "region": "390103001000",
            "work_kind": "rider",
            "mode": "valid",
            "file": SimpleUploadedFile("riders.csv", standard_list(w), content_type="text/csv"),
        },
    )
    assert resp.status_code == 400 and "不在您的管理范围内" in resp.content.decode()
    assert not FindingBatch.objects.exists()
    resp = client.post(
        "/members/findings/upload/",
        {
            "platform": w.enterprise_a.pk,
            "region": "390102001000",
            "work_kind": "rider",
            "mode": "valid",
            "file": SimpleUploadedFile("riders.csv", standard_list(w), content_type="text/csv"),
        },
    )
    batch = FindingBatch.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/imports/{batch.job_id}/"
    assert batch.region_id == "390102001000" and batch.industry_id == w.enterprise_a.industry_id
    page = client.get(resp["Location"]).content.decode()
    assert "骑手姓名" in page and "公民身份号码" in page  # the mapping step, headers recognised
    imp.job_confirm(actor=w.secretary_a, job=batch.job, mapping=batch.job.mapping, enqueue=False)
    imp.run_job(batch.job_id)
    progress = client.get(f"/imports/{batch.job_id}/progress/").content.decode()
    assert f"/members/findings/?batch={batch.pk}" in progress and "查看结果" in progress


def test_findings_list_filters_by_list_kind_and_status(world, client):
    w = world
    batch = run_list(w, standard_list(w))
    client.force_login(w.secretary_a)
    page = client.get("/members/findings/", {"batch": batch.pk}).content.decode()
    assert "赵暗党" in page and "刘骑手党员" in page
    assert "吴无人" not in page  # unmatched rows are nowhere
    page = client.get("/members/findings/", {"batch": batch.pk, "kind": "work"}).content.decode()
    assert "刘骑手党员" in page and "赵暗党" not in page
    page = client.get("/members/findings/", {"status": "rejected"}).content.decode()
    assert "没有符合条件的发现" in page
    # another secretary sees neither the list nor its findings
    client.force_login(w.secretary_b)
    page = client.get("/members/findings/", {"batch": batch.pk}).content.decode()
    assert "赵暗党" not in page and "没有找到该名单" in page
    f = Finding.objects.get(batch=batch, person=w.pocket)
    assert client.get(f"/members/findings/{f.pk}/").status_code == 404


def test_finding_page_both_checks_with_chinese_errors_then_the_member_is_in_the_branch(world, client):
    w = world
    batch = run_list(w, standard_list(w))
    f = Finding.objects.get(batch=batch, person=w.pocket, kind=FindingKind.MEMBER)
    url = f"/members/findings/{f.pk}/"
    client.force_login(w.office)
    page = client.get(url).content.decode()
    assert 'data-testid="check-office"' in page and 'data-testid="check-industry"' not in page
    assert POCKET_ID not in page and "139****0001" in page
    # missing join date: 400, the Chinese message, the branch typed is kept
    office_url, industry_url = url + "office/", url + "industry/"
    resp = client.post(office_url, {"decision": "confirm", "branch": w.branch_a.code})
    body = resp.content.decode()
    assert resp.status_code == 400 and "请填写入党日期" in body and f'value="{w.branch_a.code}"' in body
    resp = client.post(office_url, {"decision": "confirm", "branch": "NOPE"})
    assert resp.status_code == 400 and "没有找到该组织编码的党支部" in resp.content.decode()
    resp = client.post(office_url, {"decision": "reject"})
    assert resp.status_code == 400 and "请填写否定的理由" in resp.content.decode()
    assert not FindingCheck.objects.exists()
    resp = client.post(
        office_url,
        {
            "decision": "confirm",
            "branch": w.branch_a.code,
            "joined_on": "2016-07-01",
            "standing": "full",
            "converted_on": "2017-07-01",
        },
    )
    assert resp.status_code == 302
    # the uploader sees the checks, but may do neither
    client.force_login(w.secretary_a)
    page = client.get(url).content.decode()
    assert "check-industry" not in page and "check-office" not in page and "属实" in page
    assert client.post(industry_url, {"decision": "confirm"}).status_code == 403
    assert client.post(office_url, {"decision": "reject", "reason": "x"}).status_code == 403
    client.force_login(w.industry_x)
    assert 'data-testid="check-industry"' in client.get(url).content.decode()
    assert client.post(office_url, {"decision": "reject", "reason": "x"}).status_code == 403
    assert client.post(industry_url, {"decision": "confirm"}).status_code == 302
    assert Member.objects.get(person=w.pocket).person.org == w.branch_a
    client.force_login(w.secretary_a)
    members = client.get("/members/").content.decode()
    assert "赵暗党" in members
    assert "已核实并登记" in client.get(url).content.decode()


def test_api_lists_checks_and_refusals(world):
    w = world
    batch = run_list(w, standard_list(w))
    f = Finding.objects.get(batch=batch, person=w.pocket, kind=FindingKind.MEMBER)
    g = Finding.objects.get(batch=batch, person=w.member_a.person, kind=FindingKind.WORK)
    sec = ApiClient(w.secretary_a)
    body = sec.get("/api/v1/members/findings/", {"batch_id": batch.pk, "kind": "member"}).json()
    assert body["count"] == 3 and {i["name"] for i in body["items"]} >= {"赵暗党", "钱手机"}
    assert POCKET_ID not in str(body)
    batches = sec.get("/api/v1/members/findings/batches").json()
    assert batches["items"][0]["stats"]["unmatched"] == 2
    assert_error(ApiClient(w.secretary_b).get(f"/api/v1/members/findings/{f.pk}"), 404)
    assert_error(ApiClient(w.secretary_b).get("/api/v1/members/findings/", {"batch_id": batch.pk}), 404)
    assert_error(sec.get("/api/v1/members/findings/", {"kind": "nope"}), 422)
    office = ApiClient(w.office)
    err = assert_error(office.post(f"/api/v1/members/findings/{f.pk}/office", {"confirmed": True}), 422)
    assert "党支部" in err["message"]
    assert_error(office.post(f"/api/v1/members/findings/{f.pk}/office", {"confirmed": "perhaps"}), 422)
    err = assert_error(
        office.post(
            f"/api/v1/members/findings/{f.pk}/office",
            {
                "confirmed": True,
                "branch_id": w.branch_a.pk,
                "joined_on": "2005-07-01",
                "standing": "probationary",
            },
        ),
        409,
    )
    assert "18" in err["message"]
    out = office.post(
        f"/api/v1/members/findings/{f.pk}/office",
        {
            "confirmed": True,
            "branch_id": w.branch_a.pk,
            "joined_on": "2016-07-01",
            "standing": "probationary",
        },
    )
    assert out.status_code == 200 and [c["side"] for c in out.json()["checks"]] == ["office"]
    assert_error(office.post(f"/api/v1/members/findings/{f.pk}/industry", {"confirmed": True}), 403)
    industry = ApiClient(w.industry_x)
    out = industry.post(f"/api/v1/members/findings/{f.pk}/industry", {"confirmed": True})
    assert out.status_code == 200 and out.json()["status"] == "confirmed"
    assert Member.objects.filter(person=w.pocket).exists()
    assert_error(industry.post(f"/api/v1/members/findings/{f.pk}/industry", {"confirmed": True}), 409)
    err = assert_error(industry.post(f"/api/v1/members/findings/{g.pk}/industry", {"confirmed": False}), 422)
    assert err["message"] == "请填写否定的理由"
    out = industry.post(f"/api/v1/members/findings/{g.pk}/industry", {"confirmed": False, "reason": "已离职"})
    assert out.json()["status"] == "rejected"
    assert_error(
        ApiClient(w.industry_y).post(
            f"/api/v1/members/findings/{g.pk}/industry", {"confirmed": False, "reason": "x"}
        ),
        404,
    )


def test_the_findings_list_reads_in_a_fixed_number_of_queries(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = world
    run_list(w, standard_list(w))
    client.force_login(w.office)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/members/findings/").status_code == 200
    from sanxin.orgs.services import person_create

    person_create(actor=None, name="郑新", phone="13912340123")
    run_list(w, standard_list(w) + "9,郑新,,13912340123,中共党员,,城关站\n".encode())
    assert Finding.objects.count() > 5
    with CaptureQueriesContext(connection) as more:
        assert client.get("/members/findings/").status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)
    api = ApiClient(w.office)
    with CaptureQueriesContext(connection) as api_queries:
        assert api.get("/api/v1/members/findings/").json()["count"] == Finding.objects.count()
    assert len(api_queries.captured_queries) <= 12
