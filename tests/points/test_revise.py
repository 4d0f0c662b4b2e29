"""The committee's page for revising its catalogue: a new version from the current one, effective from
the date it names; automatic items keep their events; bad input is refused in Chinese and kept."""

import datetime as dt

import pytest
from django.test import Client

from sanxin.points.models import Catalogue

pytestmark = pytest.mark.django_db


def _post_rows(pw, **override):
    current = list(pw.catalogue.items.all())
    data = {
        "org": pw.committee.pk,
        "title": "快递外卖行业党员积分细则（修订）",
        "start_on": "2030-01-01",
        "note": "志愿服务调整为每次6分",
    }
    for f in (
        "code",
        "name",
        "category",
        "tier",
        "points",
        "month_cap",
        "year_cap",
        "evidence",
        "mode",
        "description",
    ):
        data[f] = [("" if getattr(i, f) is None else str(getattr(i, f))) for i in current] + [""]
    data["code"][-1], data["name"][-1], data["points"][-1] = "N01", "参加无偿献血", "8"
    for f in ("category", "tier", "evidence", "mode"):
        data[f][-1] = {
            "category": "volunteer",
            "tier": "pioneer",
            "evidence": "document",
            "mode": "declared",
        }[f]
    data["points"][[i.code for i in current].index("V01")] = "6"
    data["drop"] = [str([i.code for i in current].index("G01"))]
    data.update(override)
    return data


def test_revise_publishes_a_new_version(pw):
    c = Client()
    c.force_login(pw.committee_user)
    page = c.get("/points/catalogue/revise/", {"org": pw.committee.pk})
    assert page.status_code == 200 and "参加志愿服务" in page.content.decode()
    resp = c.post("/points/catalogue/revise/", _post_rows(pw))
    assert resp.status_code == 302
    new = Catalogue.objects.get(org=pw.committee, version=2)
    codes = {i.code: i for i in new.items.all()}
    assert codes["V01"].points == 6 and "G01" not in codes and codes["N01"].tier == "pioneer"
    assert (
        codes["L01"].mode == "automatic" and codes["L01"].auto_rules.get().event_name == "meetings.attended"
    )
    pw.catalogue.refresh_from_db()
    assert pw.catalogue.end_on == dt.date(2030, 1, 1)


def test_revise_refuses_bad_input_in_chinese_and_keeps_it(pw):
    c = Client()
    c.force_login(pw.committee_user)
    data = _post_rows(pw, start_on="明年")
    data["points"][0] = "两分"
    resp = c.post("/points/catalogue/revise/", data)
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "应为整数：两分" in body and "请填写施行日期" in body
    assert 'value="两分"' in body and "参加无偿献血" in body
    assert Catalogue.objects.filter(org=pw.committee).count() == 1


def test_revise_is_the_committees_only(pw):
    c = Client()
    c.force_login(pw.secretary)
    assert c.get("/points/catalogue/revise/", {"org": pw.committee.pk}).status_code == 403
    c.force_login(pw.other_secretary)
    assert c.post("/points/catalogue/revise/", _post_rows(pw)).status_code == 403
    assert Catalogue.objects.filter(org=pw.committee).count() == 1
