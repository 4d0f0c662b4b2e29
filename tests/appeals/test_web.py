"""The appeals pages: the worker's phone pages (submit with Chinese errors that keep the text, my
appeals, rate), the handler's queue and an appeal's page with its actions, the metrics page and its
Excel export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from sanxin.appeals.models import Appeal, Status
from tests.appeals.conftest import PNG, WAGES, submit
from tests.factories import PASSWORD


def client_for(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_submit_page_errors_in_chinese_keep_the_text_and_create_nothing(aw):
    c = client_for(aw.rider)
    assert c.get("/appeals/new/").status_code == 200
    r = c.post("/appeals/new/", {"kind": "complaint", "text": WAGES})  # no consent
    assert r.status_code == 400
    page = r.content.decode()
    assert "请阅读并同意" in page and WAGES in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 300)
    r = c.post("/appeals/new/", {"kind": "complaint", "text": WAGES, "consent": "on", "photos": [exe]})
    assert r.status_code == 400 and "文件类型不符合要求" in r.content.decode()
    r = c.post(
        "/appeals/new/",
        {"kind": "complaint", "text": WAGES, "consent": "on", "lat": "37.57", "lng": "126.98"},
    )
    assert r.status_code == 400 and "不在我国境内" in r.content.decode()
    assert not Appeal.objects.exists()


def test_submit_follow_and_rate_on_the_phone_pages(aw):
    c = client_for(aw.rider)
    photo = io.BytesIO(PNG)
    photo.name = "截图.png"
    r = c.post("/appeals/new/", {"kind": "complaint", "text": WAGES, "consent": "on", "photos": [photo]})
    assert r.status_code == 302, r.content.decode()[:2000]
    appeal = Appeal.objects.get()
    assert r["Location"] == f"/appeals/mine/{appeal.pk}/" and appeal.photos.count() == 1
    page = c.get("/appeals/mine/").content.decode()
    assert appeal.number in page
    h = client_for(aw.platform_user)
    assert appeal.number in h.get("/appeals/").content.decode()
    assert h.post(f"/appeals/{appeal.pk}/", {"action": "accept"}).status_code == 302
    r = h.post(f"/appeals/{appeal.pk}/", {"action": "resolve", "note": "太短"})
    assert r.status_code == 400 and "答复内容至少 10 个字" in r.content.decode()
    h.post(f"/appeals/{appeal.pk}/", {"action": "resolve", "note": "已核实，站点将补发克扣的配送费。"})
    assert "已核实" in c.get(f"/appeals/mine/{appeal.pk}/").content.decode()
    r = c.post(f"/appeals/mine/{appeal.pk}/", {"action": "rate", "rating": "unsatisfied"})
    assert r.status_code == 400 and "哪里不满意" in r.content.decode()
    c.post(f"/appeals/mine/{appeal.pk}/", {"action": "rate", "rating": "basic", "comment": "慢了点"})
    assert Appeal.objects.get().status == Status.CLOSED
    assert client_for(aw.other_rider).get(f"/appeals/mine/{appeal.pk}/").status_code == 404


def test_transfer_from_the_page_and_the_others_cannot_act(aw):
    a = submit(aw)
    h = client_for(aw.platform_user)
    page = h.get(f"/appeals/{a.pk}/").content.decode()
    assert aw.hrss.name in page and "转办给" in page
    r = h.post(
        f"/appeals/{a.pk}/",
        {"action": "transfer", "target": f"department:{aw.hrss.pk}", "note": "转人社处理"},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.department == aw.hrss
    assert client_for(aw.transport_user).get(f"/appeals/{a.pk}/").status_code == 404
    # the industry committee sees it but is not the holder: no handling forms, and a POST is refused
    i = client_for(aw.industry_user)
    assert 'data-testid="handle"' not in i.get(f"/appeals/{a.pk}/").content.decode()
    r = i.post(f"/appeals/{a.pk}/", {"action": "accept"}, follow=True)
    assert "没有执行此操作的权限" in r.content.decode()
    a.refresh_from_db()
    assert a.status == Status.RECEIVED and a.responded_at is None


def test_metrics_page_and_export(aw):
    submit(aw)
    c = client_for(aw.zzb)
    page = c.get("/appeals/metrics/").content.decode()
    assert "欠薪/劳动报酬" in page and 'data-testid="received">1<' in page
    r = c.get("/appeals/metrics.xlsx?by=category")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert any(row and row[0] == "欠薪/劳动报酬" and 1 in row for row in values)
    assert client_for(aw.liaison).get("/appeals/metrics.xlsx").status_code == 403


@pytest.mark.parametrize("path", ["/appeals/", "/appeals/metrics/"])
def test_a_worker_without_grants_gets_403_on_office_pages(aw, path):
    assert client_for(aw.worker).get(path).status_code == 403
