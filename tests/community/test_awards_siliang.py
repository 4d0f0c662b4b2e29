"""四亮: the secretary records 亮旗帜 for the branch and 亮身份 / 亮标识 (with a photo) / 亮承诺 for its
members, a member makes their own pledge; the offices see counts and rates per branch and export them."""

from __future__ import annotations

import base64
import io

from django.test import Client

from sanxin.community.awards.models import SiliangRecord
from sanxin.core.models import AuditLog
from tests.accounts.walker import PNG_1PX
from tests.helpers import ApiClient, assert_error

URL = "/api/v1/community/awards/manage/siliang"
PHOTO = {"name": "餐箱.png", "content_base64": base64.b64encode(PNG_1PX).decode()}


def test_the_secretary_records_the_four_and_the_rates_follow(cw):
    sec = ApiClient(cw.secretary_a)
    r = sec.post(URL, {"kind": "flag", "org_id": cw.branch_a.pk, "note": "骑手驿站活动阵地悬挂党旗"})
    assert r.status_code == 200, r.content
    err = assert_error(sec.post(URL, {"kind": "identity", "org_id": cw.branch_a.pk, "note": "佩戴徽章"}), 422)
    assert err["message"] == "请选择党员"
    person = cw.rider.person.pk
    assert (
        sec.post(
            URL, {"kind": "identity", "org_id": cw.branch_a.pk, "person_id": person, "note": "佩戴党员徽章"}
        ).status_code
        == 200
    )
    err = assert_error(sec.post(URL, {"kind": "mark", "org_id": cw.branch_a.pk, "person_id": person}), 422)
    assert err["message"] == "亮标识须上传车辆或餐箱标识的照片"
    r = sec.post(
        URL,
        {
            "kind": "mark",
            "org_id": cw.branch_a.pk,
            "person_id": person,
            "note": "餐箱贴党员标识",
            "photo": PHOTO,
        },
    )
    assert r.status_code == 200 and r.json()["photo"]
    # a member of another branch, or another branch: refused
    err = assert_error(
        sec.post(
            URL,
            {"kind": "identity", "org_id": cw.branch_a.pk, "person_id": cw.driver.person.pk, "note": "徽章"},
        ),
        422,
    )
    assert err["message"] == "赵大车不是本支部的党员"
    assert_error(sec.post(URL, {"kind": "flag", "org_id": cw.branch_b.pk, "note": "悬挂党旗党旗"}), 404)
    # the rider's own pledge: too short, then made
    rider = ApiClient(cw.rider)
    assert assert_error(rider.post("/api/v1/community/awards/siliang/pledge", {"pledge": "好好干"}), 422)[
        "message"
    ].startswith("请填写承诺内容")
    r = rider.post(
        "/api/v1/community/awards/siliang/pledge",
        {"pledge": "遵守交通规则，文明配送，遇到困难群众主动帮一把。"},
    )
    assert r.status_code == 200 and r.json()["kind"] == "pledge"
    mine = {x["kind"] for x in rider.get("/api/v1/community/awards/siliang/mine").json()}
    assert mine == {"flag", "identity", "mark", "pledge"}
    rows = {x["org_name"]: x for x in ApiClient(cw.committee_x_office).get(URL).json()}
    a = rows["骑手流动党员党支部"]
    assert (a["members"], a["flag"], a["identity"], a["mark"], a["pledge"]) == (3, True, 1, 1, 1)
    assert a["identity_rate"] == 33.3
    assert "货车司机党支部" not in rows  # committee Y's branch is not in X's scope
    # recording again replaces, one row per kind and person
    sec.post(
        URL, {"kind": "identity", "org_id": cw.branch_a.pk, "person_id": person, "note": "App 中亮明党员身份"}
    )
    assert SiliangRecord.objects.filter(kind="identity", person_id=person).get().note == "App 中亮明党员身份"


def test_pages_show_the_errors_and_keep_the_text(cw):
    member = Client()
    member.force_login(cw.rider)
    r = member.post("/community/awards/siliang/", {"pledge": "好好干"})
    assert (
        r.status_code == 400
        and "请填写承诺内容（至少 10 个字）" in r.content.decode()
        and "好好干" in r.content.decode()
    )
    assert (
        member.post(
            "/community/awards/siliang/", {"pledge": "遵守交通规则，文明配送，热心服务群众。"}
        ).status_code
        == 302
    )
    assert "遵守交通规则" in member.get("/community/awards/siliang/").content.decode()
    sec = Client()
    sec.force_login(cw.secretary_a)
    r = sec.post(
        "/community/awards/manage/siliang/",
        {"org": cw.branch_a.pk, "kind": "pledge", "person": cw.rider2.person.pk, "pledge": "短"},
    )
    assert r.status_code == 400 and "请填写承诺内容" in r.content.decode()
    r = sec.post(
        "/community/awards/manage/siliang/", {"org": cw.branch_b.pk, "kind": "flag", "note": "悬挂党旗党旗"}
    )
    assert r.status_code == 400 and "该党支部不在你的管理范围内" in r.content.decode()
    r = sec.post(
        "/community/awards/manage/siliang/",
        {"org": cw.branch_a.pk, "kind": "flag", "note": "支部活动室悬挂党旗"},
    )
    assert r.status_code == 302
    page = sec.get(f"/community/awards/manage/siliang/?org={cw.branch_a.pk}").content.decode()
    assert "支部活动室悬挂党旗" in page and "货车司机党支部" not in page


def test_the_siliang_export_is_audited_and_scoped(cw):
    from openpyxl import load_workbook

    ApiClient(cw.secretary_a).post(URL, {"kind": "flag", "org_id": cw.branch_a.pk, "note": "驿站悬挂党旗"})
    ApiClient(cw.secretary_b).post(
        URL, {"kind": "flag", "org_id": cw.branch_b.pk, "note": "司机之家悬挂党旗"}
    )
    office = Client()
    office.force_login(cw.committee_x_office)
    r = office.get("/community/awards/manage/siliang/export/")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert wb.sheetnames == ["各支部四亮", "四亮记录"]
    names = [row[0].value for row in wb["各支部四亮"].iter_rows(min_row=2)]
    assert names == ["骑手流动党员党支部"]
    assert [row[3].value for row in wb["四亮记录"].iter_rows(min_row=2)] == ["驿站悬挂党旗"]
    assert AuditLog.objects.filter(action="export", actor_id=cw.committee_x_office.pk).exists()
