"""Organization life's services: scheduling with venue conflicts, the audience, check-in and each of its
refusals (none of which changes attendance), leave, closing with the quorum of the rule in force,
make-up, minutes signed and amended, series with exceptions, effective-dated rules, reminders, and the
scope of every write."""

import datetime as dt

import pytest
from django.utils import timezone

from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.models import AuditLog, Event, Notification
from sanxin.meetings import rules, selectors, services
from sanxin.meetings.models import (
    Attendance,
    AttendanceStatus,
    Kind,
    MakeUp,
    Meeting,
    MeetingRule,
    MeetingStatus,
    Mode,
)
from sanxin.members import services as member_services
from tests.meetings.conftest import VENUE_LAT, VENUE_LNG, soon

pytestmark = pytest.mark.django_db


def schedule(b, **kw):
    args = {
        "actor": b.secretary,
        "org": b.branch,
        "kind": Kind.THEME_DAY,
        "topic": "学习新就业群体服务保障政策",
        "starts_at": soon(10),
        "mode": Mode.HYBRID,
        "venue": b.venue,
        "online_url": "https://meet.example.cn/room/1",
    }
    args.update(kw)
    return services.meeting_schedule(**args)


def att(meeting, member):
    return Attendance.objects.get(meeting=meeting, member=member)


def snapshot(meeting):
    return sorted(
        Attendance.objects.filter(meeting=meeting).values_list(
            "member_id", "status", "checked_in_at", "method"
        )
    )


# --- scheduling --------------------------------------------------------------------------------------------


def test_schedule_invites_the_branch_with_voting_rights_and_audits(b):
    m = schedule(b)
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=m)}
    assert set(rows) == {x.pk for x in b.members}
    assert rows[b.members[0].pk].voting is False  # 预备党员 has no vote
    assert all(rows[x.pk].voting for x in b.members[1:])
    assert m.held_on == timezone.localdate(m.starts_at)
    assert AuditLog.objects.filter(
        object_type="meetings.meeting", object_id=str(m.pk), action="create"
    ).exists()


def test_suspended_member_is_not_invited(b):
    member_services.member_suspend(
        actor=None,
        member=b.members[3],
        on=timezone.localdate(),
        reason="违纪审查",
        document="新纪〔2026〕1号",
    )
    m = schedule(b)
    assert b.members[3].pk not in set(
        Attendance.objects.filter(meeting=m).values_list("member_id", flat=True)
    )


def test_venue_conflict_is_refused_and_an_adjacent_booking_is_not(b):
    first = schedule(b, starts_at=soon(120), ends_at=soon(210))
    with pytest.raises(RuleViolation) as e:
        schedule(b, topic="支委会", kind=Kind.COMMITTEE, starts_at=soon(180), ends_at=soon(240))
    assert e.value.code == "venue_taken" and "已被预约" in e.value.message
    schedule(b, topic="紧接着的会", starts_at=first.ends_at, ends_at=first.ends_at + dt.timedelta(hours=1))
    services.meeting_cancel(actor=b.secretary, meeting=first, reason="台风停工")
    schedule(b, topic="取消后可再约", starts_at=soon(120), ends_at=soon(150))


def test_schedule_refusals(b):
    with pytest.raises(InvalidInput) as e:
        schedule(b, mode=Mode.ONLINE, online_url="")
    assert e.value.field == "online_url"
    with pytest.raises(InvalidInput) as e:
        schedule(b, mode=Mode.OFFLINE, venue=None, place="")
    assert e.value.field == "venue"
    with pytest.raises(InvalidInput):
        schedule(b, ends_at=soon(5))
    with pytest.raises(RuleViolation) as e:
        schedule(b, actor=b.office, org=b.committee)
    assert e.value.code == "not_a_branch"
    with pytest.raises(NotFound):
        schedule(b, actor=b.other_secretary)
    assert Meeting.objects.count() == 0


# --- check-in: the acceptance's refusals -------------------------------------------------------------------


def test_qr_checkin_and_every_refusal_leaves_attendance_unchanged(b):
    m = schedule(b)
    member, user = b.members[1], b.users[1]
    now = m.starts_at - dt.timedelta(minutes=5)
    before = snapshot(m)

    old = rules.checkin_token(m.checkin_secret, m.pk, now - dt.timedelta(seconds=95))
    with pytest.raises(RuleViolation) as e:
        services.checkin(actor=user, meeting=m, method="qr", token=old, at=now)
    assert e.value.code == "qr_stale" and "已过期" in e.value.message
    assert snapshot(m) == before

    with pytest.raises(RuleViolation) as e:
        services.checkin(
            actor=user, meeting=m, method="location", lat=VENUE_LAT + 0.045, lng=VENUE_LNG, at=now
        )
    assert e.value.code == "too_far" and "5.0公里" in e.value.message
    assert snapshot(m) == before

    other_meeting = schedule(b, actor=b.other_secretary, org=b.other, venue=None, mode=Mode.ONLINE)
    token = rules.checkin_token(other_meeting.checkin_secret, other_meeting.pk, now)
    with pytest.raises(RuleViolation) as e:
        services.checkin(actor=user, meeting=other_meeting, method="qr", token=token, at=now)
    assert e.value.code == "not_invited" and "其他组织" in e.value.message
    assert not Attendance.objects.filter(meeting=other_meeting, member=member).exists()

    fresh = rules.checkin_token(m.checkin_secret, m.pk, now)
    a = services.checkin(actor=user, meeting=m, method="qr", token=fresh, at=now)
    assert a.status == AttendanceStatus.PRESENT and a.method == "qr"
    after_first = snapshot(m)
    with pytest.raises(RuleViolation) as e:
        services.checkin(actor=user, meeting=m, method="qr", token=fresh, at=now + dt.timedelta(seconds=5))
    assert e.value.code == "already_checked_in"
    assert snapshot(m) == after_first

    with pytest.raises(RuleViolation) as e:
        services.checkin(actor=b.users[2], meeting=m, method="qr", token="1.2.ABC", at=now)
    assert e.value.code == "qr_invalid"


def test_location_checkin_near_the_venue_and_late(b):
    m = schedule(b)
    a = services.checkin(
        actor=b.users[2],
        meeting=m,
        method="location",
        lat=VENUE_LAT + 0.001,
        lng=VENUE_LNG,
        at=m.starts_at + dt.timedelta(minutes=20),
    )
    assert a.status == AttendanceStatus.LATE and a.distance_m == pytest.approx(111, abs=2)


def test_checkin_window_and_online_mode(b):
    m = schedule(b, mode=Mode.OFFLINE, online_url="")
    with pytest.raises(RuleViolation) as e:
        services.checkin(actor=b.users[1], meeting=m, method="online", at=m.starts_at)
    assert e.value.code == "not_online"
    with pytest.raises(RuleViolation) as e:
        services.checkin(actor=b.users[1], meeting=m, method="online", at=m.starts_at - dt.timedelta(hours=2))
    assert e.value.code == "not_open"
    hybrid = schedule(b, starts_at=soon(300), topic="云主题党日")
    assert (
        services.checkin(actor=b.users[1], meeting=hybrid, method="online", at=hybrid.starts_at).method
        == "online"
    )
    with pytest.raises(PermissionDenied):
        services.checkin(actor=b.secretary, meeting=hybrid, method="online", at=hybrid.starts_at)


# --- leave, closing, quorum, make-up --------------------------------------------------------------------------


def test_leave_close_quorum_events_and_makeup(b):
    m = schedule(b, kind=Kind.GENERAL, topic="支部党员大会：讨论发展对象")
    at = m.starts_at
    services.checkin(actor=b.users[1], meeting=m, method="online", at=at)
    services.checkin(actor=b.users[0], meeting=m, method="online", at=at)  # probationary: no vote
    services.leave_request(actor=b.users[2], meeting=m, reason="跑单高峰期", at=at - dt.timedelta(hours=1))
    with pytest.raises(InvalidInput):
        services.leave_decide(actor=b.secretary, attendance=att(m, b.members[2]), grant=False, note="")
    with pytest.raises(NotFound):
        services.leave_decide(actor=b.other_secretary, attendance=att(m, b.members[2]), grant=True)
    services.leave_decide(
        actor=b.secretary, attendance=att(m, b.members[2]), grant=True, note="同意，会后补学"
    )
    assert Notification.objects.filter(recipient=b.users[2], title__contains="已准假").exists()

    with pytest.raises(RuleViolation):
        services.meeting_close(actor=b.secretary, meeting=m, at=at - dt.timedelta(minutes=1))
    closed = services.meeting_close(actor=b.secretary, meeting=m, at=at + dt.timedelta(hours=2))
    # 3 voting members (李, 张, 陈), 1 present with a vote: not more than half → quorum not met
    assert (closed.invited_count, closed.voting_count, closed.present_count, closed.present_voting) == (
        4,
        3,
        2,
        1,
    )
    assert closed.quorum_met is False
    assert att(m, b.members[2]).status == AttendanceStatus.EXCUSED
    assert att(m, b.members[3]).status == AttendanceStatus.ABSENT
    names = list(Event.objects.filter(name__startswith="meetings.").values_list("name", flat=True))
    assert names.count("meetings.held") == 1 and names.count("meetings.attended") == 2
    assert names.count("meetings.absent") == 2
    excused = Event.objects.get(name="meetings.absent", payload__member_id=b.members[2].pk)
    assert excused.payload["excused"] is True

    makeup = MakeUp.objects.get(attendance__member=b.members[3])
    with pytest.raises(RuleViolation) as e:
        services.makeup_submit(
            actor=b.users[3], makeup=makeup, reflection="认真学习了会议精神，将在工作中践行初心使命。"
        )
    assert e.value.code == "no_minutes"
    services.minutes_save(actor=b.secretary, meeting=m, content="会议讨论了发展对象人选。")
    with pytest.raises(InvalidInput):
        services.makeup_submit(actor=b.users[3], makeup=makeup, reflection="已学习")
    with pytest.raises(NotFound):
        services.makeup_submit(actor=b.users[1], makeup=makeup, reflection="x" * 30)
    services.makeup_submit(
        actor=b.users[3], makeup=makeup, reflection="认真学习了会议精神，将在工作中践行初心使命。"
    )
    assert att(m, b.members[3]).status == AttendanceStatus.MADE_UP  # made up, not attended
    assert Event.objects.filter(name="meetings.made_up", payload__member_id=b.members[3].pk).count() == 1
    with pytest.raises(RuleViolation):
        services.makeup_submit(actor=b.users[3], makeup=makeup, reflection="x" * 30)


def test_quorum_met_when_more_than_half_of_voters_come(b):
    m = schedule(b, kind=Kind.GENERAL)
    for user in b.users[1:3]:
        services.checkin(actor=user, meeting=m, method="online", at=m.starts_at)
    closed = services.meeting_close(actor=b.secretary, meeting=m, at=m.starts_at + dt.timedelta(hours=1))
    assert closed.present_voting == 2 and closed.voting_count == 3 and closed.quorum_met is True


def test_lecture_given_event(b):
    lecturer = b.members[1].person
    m = schedule(b, kind=Kind.LECTURE, topic="书记讲党课", lecturer=lecturer)
    services.meeting_close(actor=b.secretary, meeting=m, at=m.starts_at + dt.timedelta(hours=1))
    e = Event.objects.get(name="meetings.lecture_given")
    assert e.payload["person_id"] == lecturer.pk and e.payload["meeting_id"] == m.pk


# --- minutes ------------------------------------------------------------------------------------------------


def test_minutes_by_the_recorder_signed_then_amended(b):
    m = schedule(b, kind=Kind.GENERAL)
    for user in b.users[1:4]:
        services.checkin(actor=user, meeting=m, method="online", at=m.starts_at)
    with pytest.raises(RuleViolation):
        services.minutes_save(actor=b.secretary, meeting=m, content="过早")
    services.meeting_close(actor=b.secretary, meeting=m, at=m.starts_at + dt.timedelta(hours=1))
    recorder = b.users[1]
    with pytest.raises(NotFound):
        services.minutes_save(actor=recorder, meeting=m, content="记录")
    services.recorder_set(actor=b.secretary, meeting=m, user=recorder)
    with pytest.raises(InvalidInput) as e:
        services.minutes_save(
            actor=recorder,
            meeting=m,
            content="记录",
            decisions=[{"title": "接收预备党员", "votes_for": 3, "votes_against": 1, "abstentions": 0}],
        )
    assert "超过" in e.value.message  # 4 votes but 3 entitled
    minutes = services.minutes_save(
        actor=recorder,
        meeting=m,
        content="会议表决接收预备党员。",
        decisions=[
            {"title": "接收预备党员", "votes_for": 2, "votes_against": 1, "abstentions": 0},
            {"title": "推选优秀党员", "votes_for": 1, "votes_against": 0, "abstentions": 2},
            {"title": "通报工作"},
        ],
    )
    carried = list(minutes.decisions.values_list("title", "carried"))
    assert carried == [("接收预备党员", True), ("推选优秀党员", False), ("通报工作", None)]
    with pytest.raises(NotFound):
        services.minutes_sign(actor=recorder, meeting=m)  # the secretary signs
    services.minutes_sign(actor=b.secretary, meeting=m)
    with pytest.raises(RuleViolation) as e:
        services.minutes_save(actor=b.secretary, meeting=m, content="改写")
    assert e.value.code == "minutes_signed"
    services.minutes_amend(actor=b.secretary, meeting=m, text="第二项应为“推选优秀共产党员”", reason="笔误")
    minutes.refresh_from_db()
    assert minutes.content == "会议表决接收预备党员。"
    assert minutes.amendments.count() == 1


# --- series, rules, reminders ------------------------------------------------------------------------------------


def test_series_materializes_meetings_and_honours_exceptions(b):
    first = timezone.localdate() + dt.timedelta(days=40)
    first = (
        first.replace(day=15)
        if first.day <= 15
        else (first.replace(day=1) + dt.timedelta(days=45)).replace(day=15)
    )
    s = services.series_create(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="每月15日主题党日",
        rrule="FREQ=MONTHLY;BYMONTHDAY=15",
        first_on=first,
        local_time=dt.time(9, 0),
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/x",
        horizon=rules.add_months(first, 4),
    )
    meetings = list(s.meetings.order_by("starts_at"))
    assert len(meetings) == 4
    assert all(timezone.localtime(x.starts_at).time() == dt.time(9, 0) for x in meetings)
    second = meetings[1].series_on
    services.series_except(actor=b.secretary, series=s, on=second, reason="与全市集中活动合并")
    meetings[1].refresh_from_db()
    assert meetings[1].status == MeetingStatus.CANCELLED
    moved = dt.datetime.combine(
        meetings[2].series_on + dt.timedelta(days=1), dt.time(19, 0), tzinfo=rules.SHANGHAI
    )
    services.series_except(
        actor=b.secretary, series=s, on=meetings[2].series_on, reason="避开早高峰", moved_to=moved
    )
    meetings[2].refresh_from_db()
    assert meetings[2].starts_at == moved and meetings[2].held_on == moved.date()
    # extending again schedules nothing twice, and the skipped one stays skipped
    assert services.series_extend(actor=b.secretary, series=s, until=rules.add_months(first, 4)) == 0
    assert services.series_extend(actor=b.secretary, series=s, until=rules.add_months(first, 5)) == 1
    with pytest.raises(InvalidInput):
        services.series_except(actor=b.secretary, series=s, on=second + dt.timedelta(days=1), reason="x")
    with pytest.raises(InvalidInput):
        services.series_create(
            actor=b.secretary,
            org=b.branch,
            kind=Kind.THEME_DAY,
            topic="x",
            rrule="each month",
            first_on=first,
            local_time=dt.time(9),
            mode=Mode.ONLINE,
            online_url="https://meet.example.cn/x",
        )


def test_rules_are_effective_dated(b):
    old = MeetingRule.objects.get(kind=Kind.LECTURE, org_type="", end_on__isnull=True)
    with pytest.raises(PermissionDenied):
        services.rule_set(
            actor=b.secretary,
            kind=Kind.LECTURE,
            period="month",
            min_count=1,
            audience="members",
            start_on=dt.date(2026, 7, 1),
        )
    with pytest.raises(InvalidInput):
        services.rule_set(
            actor=None,
            kind=Kind.LECTURE,
            period="month",
            min_count=1,
            audience="members",
            start_on=dt.date(2026, 7, 2),
        )
    new = services.rule_set(
        actor=None,
        kind=Kind.LECTURE,
        period="month",
        min_count=1,
        audience="members",
        start_on=dt.date(2026, 7, 1),
    )
    old.refresh_from_db()
    assert old.end_on == dt.date(2026, 7, 1)
    assert services.rule_for("branch", Kind.LECTURE, dt.date(2026, 6, 30)).pk == old.pk
    assert services.rule_for("branch", Kind.LECTURE, dt.date(2026, 7, 1)).pk == new.pk
    with pytest.raises(InvalidInput) as e:  # a yearly rule starts with a year
        services.rule_set(
            actor=None,
            kind=Kind.LECTURE,
            period="year",
            min_count=2,
            audience="members",
            org_type="mobile_branch",
            start_on=dt.date(2026, 8, 1),
        )
    assert "2026-01-01" in e.value.message
    own = services.rule_set(
        actor=None,
        kind=Kind.LECTURE,
        period="half_year",
        min_count=2,
        audience="members",
        org_type="mobile_branch",
        start_on=dt.date(2026, 7, 1),
    )
    assert services.rule_for("mobile_branch", Kind.LECTURE, dt.date(2026, 8, 1)).pk == own.pk
    assert services.rule_for("branch", Kind.LECTURE, dt.date(2026, 8, 1)).pk == new.pk
    reqs = selectors.requirements(dt.date(2026, 6, 1), dt.date(2026, 9, 1))
    lectures = {
        (q.start, q.end, q.min_count, "mobile_branch" in q.types) for q in reqs if q.kind == Kind.LECTURE
    }
    assert lectures == {
        # June lies in Q2, judged by the quarterly rule in force on 1 April, for every branch type
        (dt.date(2026, 4, 1), dt.date(2026, 7, 1), 1, True),
        # from July the new monthly rule, except for mobile branches: twice in the half year
        (dt.date(2026, 7, 1), dt.date(2026, 8, 1), 1, False),
        (dt.date(2026, 8, 1), dt.date(2026, 9, 1), 1, False),
        (dt.date(2026, 7, 1), dt.date(2027, 1, 1), 2, True),
    }


def test_reminders_once_per_meeting_within_lead_time(b):
    m = schedule(b, starts_at=soon(180), remind_minutes=120)
    assert services.send_reminders(now=timezone.now()) == 0
    later = m.starts_at - dt.timedelta(minutes=100)
    assert services.send_reminders(now=later) == 4
    assert services.send_reminders(now=later + dt.timedelta(minutes=5)) == 0
    n = Notification.objects.get(recipient=b.users[1], kind="meetings.reminder")
    assert timezone.localtime(m.starts_at).strftime("%H:%M") in n.title and b.venue.name in n.body


def test_a_selection_invites_only_those_named_and_the_recorder_is_an_invitee(b):
    m = schedule(b, invite="selection", extra_members=[b.members[1], b.outsider])
    assert set(Attendance.objects.filter(meeting=m).values_list("member_id", flat=True)) == {
        b.members[1].pk,
        b.outsider.pk,  # a member of another branch attending here
    }
    with pytest.raises(RuleViolation) as e:
        services.recorder_set(actor=b.secretary, meeting=m, user=b.users[2])
    assert e.value.code == "not_invited"
    assert services.recorder_set(actor=b.secretary, meeting=m, user=b.users[1]).recorder == b.users[1]


def test_reschedule_a_meeting_and_an_occurrence(b):
    taken = schedule(b, starts_at=soon(600), ends_at=soon(690), topic="占用会议室")
    m = schedule(b, starts_at=soon(120), ends_at=soon(210))
    with pytest.raises(RuleViolation) as e:
        services.meeting_reschedule(
            actor=b.secretary, meeting=m, starts_at=taken.starts_at, reason="避开高峰"
        )
    assert e.value.code == "venue_taken"
    with pytest.raises(NotFound):
        services.meeting_reschedule(actor=b.other_secretary, meeting=m, starts_at=soon(900), reason="x")
    Meeting.objects.filter(pk=m.pk).update(reminded_at=timezone.now())
    later = soon(900)
    moved = services.meeting_reschedule(actor=b.secretary, meeting=m, starts_at=later, reason="避开送餐高峰")
    assert moved.starts_at == later and moved.ends_at - moved.starts_at == dt.timedelta(minutes=90)
    assert moved.reminded_at is None  # reminded again before the new time
    assert Notification.objects.filter(recipient=b.users[1], title__startswith="会议改期至").count() == 1
    first = timezone.localdate() + dt.timedelta(days=3)
    s = services.series_create(
        actor=b.secretary,
        org=b.branch,
        kind=Kind.THEME_DAY,
        topic="每周主题学习",
        rrule="FREQ=WEEKLY",
        first_on=first,
        local_time=dt.time(20),
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/w",
        horizon=first + dt.timedelta(days=15),
    )
    occurrence = s.meetings.order_by("starts_at")[1]
    new_start = dt.datetime.combine(
        occurrence.series_on + dt.timedelta(days=1), dt.time(19), tzinfo=rules.SHANGHAI
    )
    services.meeting_reschedule(actor=b.secretary, meeting=occurrence, starts_at=new_start, reason="周日休息")
    assert s.exceptions.get().moved_to == new_start
    assert services.series_extend(actor=b.secretary, series=s, until=first + dt.timedelta(days=15)) == 0
    occurrence.refresh_from_db()
    assert occurrence.starts_at == new_start
    services.meeting_cancel(actor=b.secretary, meeting=occurrence, reason="合并")
    with pytest.raises(RuleViolation):
        services.meeting_reschedule(actor=b.secretary, meeting=occurrence, starts_at=soon(1000), reason="x")


def test_every_step_is_audited(b):
    m = schedule(b)
    token = rules.checkin_token(m.checkin_secret, m.pk, m.starts_at)
    services.checkin(actor=b.users[1], meeting=m, method="qr", token=token, at=m.starts_at)
    services.leave_request(actor=b.users[2], meeting=m, reason="跑单", at=m.starts_at)
    services.leave_decide(actor=b.secretary, attendance=att(m, b.members[2]), grant=True)
    services.meeting_close(actor=b.secretary, meeting=m, at=m.starts_at + dt.timedelta(hours=1))
    services.minutes_save(actor=b.secretary, meeting=m, content="记录")
    services.minutes_sign(actor=b.secretary, meeting=m)
    services.minutes_amend(actor=b.secretary, meeting=m, text="更正", reason="笔误")
    makeup = MakeUp.objects.get(attendance__member=b.members[2])
    services.makeup_submit(
        actor=b.users[2], makeup=makeup, reflection="认真学习了会议记录，今后在送单中亮身份作表率。"
    )
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "create",
        "checkin",
        "leave_request",
        "leave_grant",
        "close",
        "sign",
        "amend",
        "makeup",
    } <= actions
    checkin_row = AuditLog.objects.get(action="checkin")
    assert checkin_row.actor_id == b.users[1].pk and checkin_row.after["status"] == "present"
