"""The domain events automatic credit rules may name, with what their payloads carry. A module that
publishes a creditable event adds it here (and, for the demo, a default rule in its catalogue);
the points module subscribes to each of them once (``hooks``)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Source:
    label: str
    fields: dict[str, str]  # payload key -> what it means (shown in the rule editor)


SOURCES: dict[str, Source] = {
    "meetings.attended": Source(
        "出席组织生活",
        {
            "kind": "会议类型（general/committee/group/lecture/theme_day/life_meeting/appraisal）",
            "method": "签到方式",
        },
    ),
    "meetings.absent": Source("组织生活缺席", {"kind": "会议类型", "excused": "是否已请假（true/false）"}),
    "meetings.made_up": Source("组织生活补学", {"kind": "会议类型"}),
    "meetings.lecture_given": Source("讲授党课", {"kind": "会议类型"}),
    "learning.credited": Source(
        "完成学习课时",
        {
            "source": "来源（lesson：线上课时；training：线下培训出勤）",
            "column": "栏目（theory/stories/policy/skills；线下培训为空）",
            "short": "微课时段（shift/noon，空为非微课）",
            "hours": "学时",
        },
    ),
    "stations.volunteered": Source(
        "驿站志愿值守",
        {
            "station_kind": "站点类型（nuanfeng/demo/driver/red/base/centre）",
            "hours": "确认的服务时长（小时）",
        },
    ),
    "community.suggestion_adopted": Source(
        "建言献策被采纳",
        {
            "category": "建议类别（organization/rights/service/learning/platform/governance/other）",
            "seconds": "附议人数",
        },
    ),
    "community.volunteer_hours": Source(
        "参加组织活动（志愿服务）",
        {
            "kind": "类型（activity：活动；service：服务）",
            "hours": "记入的志愿时长（小时）",
            "team_id": "志愿服务队（空为不属于服务队）",
        },
    ),
    "community.award_won": Source(
        "评选表彰当选",
        {"rank": "名次", "year": "年度", "votes": "有效票数"},
    ),
}


def matches(conditions: dict, payload: dict) -> bool:
    """Every condition holds: the payload's value equals the condition's value, or is one of a list."""
    for key, wanted in (conditions or {}).items():
        value = payload.get(key)
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True
