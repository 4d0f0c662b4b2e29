"""Organization life through the API and the pages: scheduling and its refusals in the one error
format, the member's own routes, the check-in page a scanned QR opens, the rotating QR screen, the
iCalendar feed (parsed with the icalendar library, local times), the compliance table and its Excel
export."""

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from sanxin.meetings import rules, services
from sanxin.meetings.models import (
    Attendance,
    AttendanceStatus,
    Kind,
    MakeUp,
    Meeting,
    MeetingRule,
    Mode,
    Venue,
)
from tests.factories import PASSWORD
from tests.helpers import ApiClient, assert_error
from tests.meetings.conftest import soon
from tests.meetings.test_compliance import held

pytestmark = pytest.mark.django_db


def page(user):
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def body(b, **kw):
    data = {
        "org_id": b.branch.pk,
        "kind": "theme_day",
        "topic": "云主题党日：学习安全生产",
        "starts_at": soon(30).isoformat(),
        "mode": "online",
        "online_url": "https://meet.example.cn/r/9",
    }
    data.update(kw)
    return data


def test_api_schedule_detail_and_refusals(b):
    api = ApiClient(b.secretary)
    r = api.post("/api/v1/meetings/", body(b))
    assert r.status_code == 201, r.content
    m = r.json()
    assert m["kind_label"] == "主题党日" and len(m["attendances"]) == 4
    assert_error(api.post("/api/v1/meetings/", body(b, online_url="")), 422)
    assert_error(api.post("/api/v1/meetings/", body(b, starts_at="2026-12-20T09:00:00")), 422)
    assert_error(api.post("/api/v1/meetings/", body(b, org_id=b.other.pk)), 404)
    assert_error(ApiClient(b.other_secretary).get(f"/api/v1/meetings/{m['id']}"), 404)
    code = api.get(f"/api/v1/meetings/{m['id']}/checkin-code").json()
    assert (
        rules.token_state(
            Meeting.objects.get(pk=m["id"]).checkin_secret, m["id"], code["token"], timezone.now()
        )
        == "ok"
    )
    listed = api.get("/api/v1/meetings/", {"kind": "theme_day"}).json()
    assert listed["count"] == 1
    # a venue booked twice answers 409 with the clash named
    venue = api.post(
        "/api/v1/meetings/venues", {"org_id": b.branch.pk, "name": "站点会议室", "lat": 30.27, "lng": 120.15}
    )
    assert venue.status_code == 201
    first = body(
        b, mode="offline", online_url="", venue_id=venue.json()["id"], starts_at=soon(600).isoformat()
    )
    assert api.post("/api/v1/meetings/", first).status_code == 201
    assert_error(api.post("/api/v1/meetings/", first), 409, "venue_taken")


def test_api_member_checks_in_asks_leave_and_makes_up(b):
    m = services.meeting_schedule(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="主题党日",
        starts_at=soon(10),
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/x",
    )
    me = ApiClient(b.users[1])
    mine = me.get("/api/v1/meetings/mine").json()
    assert [x["meeting"]["id"] for x in mine] == [m.pk]
    token = rules.checkin_token(m.checkin_secret, m.pk, timezone.now())
    r = me.post(f"/api/v1/meetings/mine/{m.pk}/checkin", {"method": "qr", "token": token})
    assert r.status_code == 200 and r.json()["status"] == "present"
    assert_error(
        me.post(f"/api/v1/meetings/mine/{m.pk}/checkin", {"method": "qr", "token": token}),
        409,
        "already_checked_in",
    )
    outsider = ApiClient(b.outsider_user)
    assert_error(
        outsider.post(f"/api/v1/meetings/mine/{m.pk}/checkin", {"method": "online"}), 409, "not_invited"
    )
    other = ApiClient(b.users[2])
    assert other.post(f"/api/v1/meetings/mine/{m.pk}/leave", {"reason": "在外地送货"}).status_code == 200
    sec = ApiClient(b.secretary)
    att = Attendance.objects.get(meeting=m, member=b.members[2])
    assert_error(ApiClient(b.other_secretary).post(f"/api/v1/meetings/leave/{att.pk}", {"grant": True}), 404)
    assert (
        sec.post(f"/api/v1/meetings/leave/{att.pk}", {"grant": True, "note": "同意"}).json()["status"]
        == "excused"
    )
    Meeting.objects.filter(pk=m.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    closed = sec.post(f"/api/v1/meetings/{m.pk}/close")
    assert closed.status_code == 200 and closed.json()["present_count"] == 1
    assert sec.put(f"/api/v1/meetings/{m.pk}/minutes", {"content": "学习了安全生产文件。"}).status_code == 200
    makeups = other.get("/api/v1/meetings/mine/makeups").json()
    assert len(makeups) == 1
    assert_error(other.post(f"/api/v1/meetings/mine/makeups/{makeups[0]['id']}", {"reflection": "短"}), 422)
    assert_error(me.post(f"/api/v1/meetings/mine/makeups/{makeups[0]['id']}", {"reflection": "x" * 30}), 404)
    r = other.post(
        f"/api/v1/meetings/mine/makeups/{makeups[0]['id']}",
        {"reflection": "学习了安全生产文件，今后送货严格遵守交通规则。"},
    )
    assert r.status_code == 200 and r.json()["done_at"]
    assert Attendance.objects.get(pk=att.pk).status == AttendanceStatus.MADE_UP


def test_ics_feed_parses_with_local_times(b):
    start = dt.datetime(2027, 1, 15, 9, 0, tzinfo=rules.SHANGHAI)
    m = services.meeting_schedule(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="一月主题党日",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        venue=b.venue,
        mode=Mode.OFFLINE,
        remind_minutes=120,
    )
    cancelled = services.meeting_schedule(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.LECTURE,
        topic="停开的党课",
        starts_at=start + dt.timedelta(days=3),
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/c",
    )
    services.meeting_cancel(actor=b.secretary, meeting=cancelled, reason="台风")
    c = page(b.users[1])
    r = c.post("/meetings/mine/", {"action": "feed"})
    url = r.context["feed_url"]
    path = url[url.index("/meetings/calendar/") :]
    anon = Client()
    resp = anon.get(path)
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(resp.content)
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    ev = events["主题党日：一月主题党日"]
    local = ev.decoded("dtstart")
    assert (local.hour, local.minute, str(local.tzinfo)) == (9, 0, "Asia/Shanghai")
    assert local == start and ev.decoded("dtend") - local == dt.timedelta(minutes=90)
    assert "行业党委活动室" in str(ev["location"]) and str(ev["uid"]).startswith(f"meeting-{m.pk}@")
    assert ev.walk("VALARM")[0].decoded("trigger") == dt.timedelta(minutes=-120)
    assert str(events["党课：停开的党课"]["status"]) == "CANCELLED"
    # the outsider's meetings are not in it; a reissued address retires the old one
    assert "赵司机" not in resp.content.decode()
    c.post("/meetings/mine/", {"action": "feed"})
    assert anon.get(path).status_code == 404


def test_checkin_page_from_a_scanned_qr(b):
    m = services.meeting_schedule(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="扫码签到的主题党日",
        starts_at=soon(5),
        venue=b.venue,
        mode=Mode.OFFLINE,
    )
    screen = page(b.secretary).get(f"/meetings/{m.pk}/screen/")
    assert screen.status_code == 200 and b"<svg" in screen.content
    token = screen.context["token"]
    assert page(b.other_secretary).get(f"/meetings/{m.pk}/screen/").status_code == 404
    member = page(b.users[1])
    confirm = member.get("/meetings/checkin/", {"t": token})
    assert confirm.status_code == 200 and "扫码签到的主题党日" in confirm.content.decode()
    done = member.post("/meetings/checkin/", {"t": token})
    assert done.status_code == 302
    assert Attendance.objects.get(meeting=m, member=b.members[1]).method == "qr"
    stale = rules.checkin_token(m.checkin_secret, m.pk, timezone.now() - dt.timedelta(minutes=2))
    refused = page(b.users[2]).post("/meetings/checkin/", {"t": stale})
    assert refused.status_code == 400 and "已过期" in refused.content.decode()
    assert Attendance.objects.get(meeting=m, member=b.members[2]).status == AttendanceStatus.INVITED
    forged = page(b.users[2]).get("/meetings/checkin/", {"t": f"{m.pk}.1.AAAAAAAAAAAAAAAA"})
    assert "扫码签到的主题党日" not in forged.content.decode() and "二维码无效" in forged.content.decode()
    outsider = page(b.outsider_user).post("/meetings/checkin/", {"t": token})
    assert outsider.status_code == 400 and "不在本次会议" in outsider.content.decode()


def test_pages_schedule_close_minutes_and_makeup(b):
    sec = page(b.secretary)
    bad = sec.post(
        "/meetings/new/",
        {
            "org": b.branch.pk,
            "kind": "theme_day",
            "topic": "",
            "day": "2027-02-15",
            "time": "09:00",
            "minutes": 90,
            "mode": "online",
            "online_url": "",
            "remind_hours": 24,
        },
    )
    assert bad.status_code == 400 and "请填写会议主题" in bad.content.decode()
    bad = sec.post(
        "/meetings/new/",
        {
            "org": b.branch.pk,
            "kind": "theme_day",
            "topic": "主题党日",
            "day": "2027-02-15",
            "time": "09:00",
            "minutes": 90,
            "mode": "online",
            "online_url": "",
            "remind_hours": 24,
        },
    )
    assert bad.status_code == 400 and "线上会议须填写会议链接" in bad.content.decode()
    assert 'value="主题党日"' in bad.content.decode()  # what was typed is kept
    m = services.meeting_schedule(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="页面办结",
        starts_at=timezone.now() - dt.timedelta(minutes=20),
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/p",
    )
    services.checkin(actor=b.users[1], meeting=m, method="online")
    services.leave_request(actor=b.users[3], meeting=m, reason="跑单")
    att = Attendance.objects.get(meeting=m, member=b.members[3])
    assert "待审批的请假" in sec.get("/meetings/").content.decode()
    refused = sec.post(
        f"/meetings/{m.pk}/", {"action": "leave", "attendance": att.pk, "grant": "0", "note": ""}
    )
    assert refused.status_code == 400 and "不准假须说明理由" in refused.content.decode()
    assert (
        sec.post(f"/meetings/{m.pk}/", {"action": "leave", "attendance": att.pk, "grant": "1"}).status_code
        == 302
    )
    assert sec.post(f"/meetings/{m.pk}/", {"action": "close"}).status_code == 302
    assert sec.post(f"/meetings/{m.pk}/", {"action": "minutes", "content": ""}).status_code == 400
    assert sec.post(f"/meetings/{m.pk}/", {"action": "minutes", "content": "学习了文件。"}).status_code == 302
    assert sec.post(f"/meetings/{m.pk}/", {"action": "sign"}).status_code == 302
    assert "已于" in sec.get(f"/meetings/{m.pk}/").content.decode()
    member = page(b.users[3])
    makeup = MakeUp.objects.get(attendance=att)
    short = member.post("/meetings/mine/", {"action": "makeup", "makeup": makeup.pk, "reflection": "已学"})
    assert short.status_code == 400 and "不少于20字" in short.content.decode()
    ok = member.post(
        "/meetings/mine/",
        {
            "action": "makeup",
            "makeup": makeup.pk,
            "reflection": "学习了文件，在送单中遵守交通规则，做好表率。",
        },
    )
    assert ok.status_code == 302
    assert Attendance.objects.get(pk=att.pk).status == AttendanceStatus.MADE_UP


def test_compliance_page_drill_down_and_export(b):
    held(b, b.branch, Kind.THEME_DAY, dt.date(2026, 10, 15))
    office = page(b.office)
    r = office.get("/meetings/compliance/", {"period": "month", "on": "2026-10-10"})
    assert r.status_code == 200
    text = r.content.decode()
    assert "骑手流动党员党支部" in text and "货车司机党支部" not in text  # the other committee's branch
    r = office.get("/meetings/compliance/", {"period": "month", "on": "2026-10-10", "export": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    header = next(row for row in rows if row and row[0] == "组织")
    data = [row for row in rows[rows.index(header) + 1 :] if row and row[0]]
    assert [row[0] for row in data] == ["骑手流动党员党支部"]
    assert data[0][header.index("是否达标")] == "未达标"  # no 支委会 in October
    assert "支委会" in data[0][-1]
    bad = office.get("/meetings/compliance/", {"on": "2026-13-01"})
    assert bad.status_code == 400 and "日期格式" in bad.content.decode()


def test_pages_repeat_monthly_and_skip_one(b):
    sec = page(b.secretary)
    first = timezone.localdate() + dt.timedelta(days=20)
    r = sec.post(
        "/meetings/new/",
        {
            "org": b.branch.pk,
            "kind": "theme_day",
            "topic": "每月主题党日",
            "day": first.isoformat(),
            "time": "19:30",
            "minutes": 60,
            "mode": "online",
            "online_url": "https://meet.example.cn/m",
            "remind_hours": 24,
            "repeat": "monthly",
            "repeat_until": rules.add_months(first, 2).replace(day=first.day).isoformat(),
        },
    )
    assert r.status_code == 302
    meetings = list(Meeting.objects.filter(series__isnull=False).order_by("starts_at"))
    assert [m.held_on for m in meetings] == [
        rules.add_months(first, i).replace(day=first.day) for i in range(3)
    ]
    assert all(timezone.localtime(m.starts_at).strftime("%H:%M") == "19:30" for m in meetings)
    r = sec.post(f"/meetings/{meetings[1].pk}/", {"action": "cancel", "reason": "与全市集中活动合并"})
    assert r.status_code == 302
    meetings[1].refresh_from_db()
    assert meetings[1].status == "cancelled"
    assert meetings[1].series.exceptions.get().on == meetings[1].series_on


def test_minutes_attachment_type_checked(b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = services.meeting_schedule(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="附件",
        starts_at=timezone.now() - dt.timedelta(minutes=30),
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/a",
    )
    services.meeting_close(actor=b.secretary, meeting=m)
    sec = page(b.secretary)
    fake = SimpleUploadedFile("记录.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = sec.post(f"/meetings/{m.pk}/", {"action": "minutes", "content": "记录", "attachment": fake})
    assert r.status_code == 400 and "类型" in r.content.decode()
    assert (
        not hasattr(Meeting.objects.get(pk=m.pk), "minutes")
        or not Meeting.objects.get(pk=m.pk).minutes.attachments.exists()
    )
    pdf = SimpleUploadedFile(
        "记录.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )
    r = sec.post(f"/meetings/{m.pk}/", {"action": "minutes", "content": "会议记录正文", "attachment": pdf})
    assert r.status_code == 302
    f = Meeting.objects.get(pk=m.pk).minutes.attachments.get()
    assert sec.get(f"/files/{f.pk}/").status_code == 200
    assert page(b.users[1]).get(f"/files/{f.pk}/").status_code == 200  # an invited member reads it (补学)
    assert page(b.outsider_user).get(f"/files/{f.pk}/").status_code == 404


def test_home_cards(b):
    services.meeting_schedule(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="下周主题党日",
        starts_at=soon(60 * 24 * 3),
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/h",
    )
    member = page(b.users[1]).get("/").content.decode()
    assert "我的组织生活" in member and "下周主题党日" in member
    today = timezone.localdate()
    secretary = page(b.secretary).get("/").content.decode()
    if (rules.period_end(today, "month") - today).days <= 10:
        assert 'data-testid="about-to-miss"' in secretary  # nothing held yet this month, period ending soon
    else:
        assert "近期没有将要逾期的会议" in secretary
    from tests.meetings.conftest import user_for

    city_office = user_for("org_department", b.city)
    for name in ("二支部", "三支部", "四支部"):
        from sanxin.orgs import services as org_services

        org_services.org_create(
            actor=None,
            parent=b.committee,
            name=name,
            org_type="branch",
            region=b.branch.region,
            founded_on=dt.date(2020, 1, 1),
        )
    office = page(city_office).get("/").content.decode()
    assert 'data-testid="missed-summary"' in office and "支部5个" in office


def test_venue_and_rule_pages(b):
    sec = page(b.secretary)
    bad = sec.post(
        "/meetings/venues/", {"org": b.branch.pk, "name": "站点会议室", "kind": "room", "lat": "95"}
    )
    assert bad.status_code == 400 and 'value="站点会议室"' in bad.content.decode()
    ok = sec.post(
        "/meetings/venues/",
        {"org": b.branch.pk, "name": "站点会议室", "kind": "room", "lat": "30.1", "lng": "120.2"},
    )
    assert ok.status_code == 302 and "站点会议室" in sec.get("/meetings/venues/").content.decode()
    refused = sec.post("/meetings/venues/", {"org": b.other.pk, "name": "别人的会议室", "kind": "room"})
    assert refused.status_code == 400 and not Venue.objects.filter(name="别人的会议室").exists()
    rules_page = sec.get("/meetings/rules/").content.decode()
    assert "主题党日" in rules_page and 'data-testid="rule-form"' not in rules_page
    assert sec.post("/meetings/rules/", {"kind": "lecture"}).status_code == 403
    from tests.meetings.conftest import user_for

    zzb = page(user_for("org_department", b.city))
    bad = zzb.post(
        "/meetings/rules/",
        {
            "kind": "lecture",
            "period": "year",
            "min_count": 2,
            "audience": "members",
            "quorum": "none",
            "start_on": "2027-03-01",
        },
    )
    assert bad.status_code == 400 and "周期的第一天" in bad.content.decode()
    assert (
        zzb.post(
            "/meetings/rules/",
            {
                "kind": "lecture",
                "period": "year",
                "min_count": 2,
                "audience": "members",
                "quorum": "none",
                "start_on": "2028-01-01",
            },
        ).status_code
        == 302
    )
    assert MeetingRule.objects.get(kind="lecture", org_type="", end_on__isnull=True).min_count == 2


def test_compliance_only_missed(b):
    held(b, b.branch, Kind.THEME_DAY, dt.date(2026, 10, 15))
    held(b, b.branch, Kind.COMMITTEE, dt.date(2026, 10, 16))
    office = page(b.office)
    everyone = office.get("/meetings/compliance/", {"period": "month", "on": "2026-10-10"}).content.decode()
    assert 'data-testid="branch-骑手流动党员党支部"' in everyone
    missed = office.get(
        "/meetings/compliance/", {"period": "month", "on": "2026-10-10", "missed": "on"}
    ).content.decode()
    assert 'data-testid="branch-骑手流动党员党支部"' not in missed


def test_page_reschedule_keeps_what_was_typed_on_error(b):
    m = services.meeting_schedule(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="改期的主题党日",
        starts_at=soon(300),
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/r",
    )
    sec = page(b.secretary)
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    bad = sec.post(f"/meetings/{m.pk}/", {"action": "reschedule", "day": day, "time": "20:00", "reason": ""})
    assert (
        bad.status_code == 400
        and "请填写改期原因" in bad.content.decode()
        and f'value="{day}"' in bad.content.decode()
    )
    ok = sec.post(
        f"/meetings/{m.pk}/", {"action": "reschedule", "day": day, "time": "20:00", "reason": "避开高峰"}
    )
    assert ok.status_code == 302
    m.refresh_from_db()
    assert timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M") == f"{day} 20:00"
