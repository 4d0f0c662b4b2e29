"""Wiring of community activities, called from ``community.hooks.ready``: the scope of its rows, the
navigation, audit labels and the growth-archive source."""

from __future__ import annotations


def ready() -> None:
    from sanxin.core import audit, registry, scope
    from sanxin.members import timeline

    from . import archive, demo  # noqa: F401  (demo: the demo step)
    from .models import Activity, Need, Participation, Team, TeamMembership

    on_org = {"org_path": "org__path", "region": "org__region_id", "industry": "org__industry_id"}
    scope.register(Need, **on_org)
    scope.register(Activity, **on_org)
    scope.register(Team, **on_org)
    scope.register(
        Participation,
        org_path="activity__org__path",
        region="activity__org__region_id",
        industry="activity__org__industry_id",
    )
    scope.register(
        TeamMembership,
        org_path="team__org__path",
        region="team__org__region_id",
        industry="team__org__industry_id",
    )
    timeline.register_source("community.volunteering", "志愿服务", archive.volunteered, order=81)
    signed_in = lambda u: getattr(u, "is_authenticated", False)  # noqa: E731
    registry.nav(registry.NavItem(key="community.activities", label="活动与志愿", order=26,
                                  url_name="community:activities:home", visible=signed_in))  # fmt: skip
    audit.label_actions(
        {
            "need_propose": "提出活动需求",
            "need_vote": "为活动需求投票",
            "need_adopt": "采纳活动需求",
            "need_decline": "不予采纳活动需求",
            "activity_create": "发布活动",
            "activity_signup": "报名活动",
            "signup_cancel": "取消活动报名",
            "waitlist_promote": "候补转正",
            "checkin_code": "签到码签到",
            "checkin_refused": "签到码错误",
            "checkin_roster": "点名签到",
            "activity_rate": "评价活动",
            "activity_summarize": "填写活动总结",
            "activity_cancel": "取消活动",
            "team_create": "成立志愿服务队",
            "team_join": "加入志愿服务队",
            "team_leave": "退出志愿服务队",
        }
    )
