"""Wiring of organization life: the scope of its rows, the upload purpose of minutes' attachments,
the nav entries, audit labels."""

from __future__ import annotations


def ready() -> None:
    from django.db.models import Q

    from sanxin.core import audit, events, registry, scope, uploads
    from sanxin.core.scope import has_permission

    from . import cards, demo, tasks  # noqa: F401  (the demo step, the schedule)
    from .models import Attendance, MakeUp, Meeting, Minutes, Series, Venue

    org = {"org_path": "org__path", "region": "org__region_id", "industry": "org__industry_id"}
    scope.register(Meeting, **org)
    scope.register(Series, **org)
    scope.register(Venue, **org)
    scope.register(
        Attendance,
        org_path="meeting__org__path",
        region="meeting__org__region_id",
        industry="meeting__org__industry_id",
        owner="member__person__user_id",
    )
    scope.register(
        MakeUp,
        org_path="attendance__meeting__org__path",
        region="attendance__meeting__org__region_id",
        industry="attendance__meeting__org__industry_id",
        owner="attendance__member__person__user_id",
    )
    scope.register(Minutes, related=lambda s: Q(meeting__in=s.filter(Meeting.objects.all()).values("pk")))

    # A service position is also a place for meetings: its venue follows it.
    from .services import station_venue

    events.subscribe("stations.saved", name="meetings.station_venue")(station_venue)

    def can_read_attachment(user, stored) -> bool:
        minutes = Minutes.objects.filter(attachments=stored)
        if scope.scope_for(user, "meetings", "view").filter(minutes).exists():
            return True
        # an invited member reads the materials of their meeting (补学)
        return minutes.filter(meeting__attendances__member__person__user=user).exists()

    uploads.register_purpose(
        "meetings.attachment",
        kinds={"image", "pdf"},
        max_bytes=20 * 1024 * 1024,
        can_read=can_read_attachment,
    )
    registry.nav(
        registry.NavItem(
            key="meetings",
            label="组织生活",
            url_name="meetings:list",
            order=17,
            visible=lambda u: has_permission(u, "meetings", "view"),
        )
    )
    registry.card(
        registry.HomeCard(
            key="meetings.mine",
            title="我的组织生活",
            order=5,
            template="meetings/cards/mine.html",
            context=cards.mine,
            visible=cards.is_member,
        )
    )
    registry.card(
        registry.HomeCard(
            key="meetings.oversight",
            title="三会一课",
            order=8,
            template="meetings/cards/oversight.html",
            context=cards.oversight,
            visible=lambda u: has_permission(u, "meetings", "view"),
        )
    )
    audit.label_actions(
        {
            "checkin": "签到",
            "attendance_record": "补录出席",
            "attendance_sheet": "录入签到表",
            "leave_request": "请假",
            "leave_grant": "准假",
            "leave_refuse": "不准假",
            "close": "办结",
            "sign": "签发",
            "amend": "更正",
            "makeup": "补学",
            "invite": "邀请参会",
            "reschedule": "改期",
            "series_except": "周期例外",
            "rule_end": "制度停止施行",
            "recorder_set": "指定记录人",
            "feed_token": "生成日历订阅地址",
        }
    )
