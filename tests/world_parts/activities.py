"""The world's objects of community activities (see tests/world_parts/__init__.py): each branch has a
need of one of its people, an activity (ended yesterday, one person signed up and checked in), a
volunteer team with that person as a member."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from django.utils import timezone

from tests.factories import UserFactory
from tests.world import LEAK_MARKER

_names = itertools.count(1)


def _person(org, name):
    from sanxin.orgs.services import person_create

    user = UserFactory()
    person_create(actor=None, name=name, org=org, user=user)
    return user


def build(world) -> dict:
    from sanxin.community.activities import services

    out: dict = {}
    now = timezone.now()
    for side, org, secretary, mark in (
        ("a", world.branch_a, world.secretary_a, ""),
        ("b", world.branch_b, world.secretary_b, LEAK_MARKER),
    ):
        person = _person(org, f"志愿者{side}{mark}")
        out[f"volunteer_{side}"] = person
        out[f"joiner_{side}"] = _person(org, f"新队员{side}{mark}")
        out[f"need_{side}"] = services.need_propose(
            actor=person,
            org=org,
            title=f"夏季送清凉{mark}",
            kind="activity",
            body=f"高温天气希望送绿豆汤{mark}",
        )
        team = services.team_create(actor=None, org=org, name=f"水乡红骑手{mark}")
        out[f"team_{side}"] = team
        out[f"membership_{side}"] = services.team_join(actor=None, team=team, user=person)
        start = now - dt.timedelta(days=1, hours=3)
        activity = services.activity_create(
            actor=secretary, org=org, title=f"清凉驿站志愿服务{mark}", description=f"为骑手送绿豆汤和防暑药{mark}",
            kind="service", starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=5, hours="2",
            place=f"江汉路驿站{mark}", team=team, now=start - dt.timedelta(days=2),
        )  # fmt: skip
        services.activity_signup(actor=person, activity=activity, now=start - dt.timedelta(days=1))
        services.checkin_roster(actor=None, activity=activity, user_ids=[person.pk], now=start)
        out[f"activity_{side}"] = activity
    return out


def targets() -> dict:
    from sanxin.community.activities.models import Activity, Need, Team, TeamMembership

    return {Need: "need", Activity: "activity", Team: "team", TeamMembership: "membership"}


def _future(hours: int) -> str:
    return (timezone.now() + dt.timedelta(days=5, hours=hours)).isoformat()


def _form_time(hours: int) -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(days=5, hours=hours)).strftime("%Y-%m-%dT%H:%M")


API = "/api/v1/community/activities"

PAYLOADS: dict[tuple[str, str], Callable] = {
    # a past activity: the roster takes no one new (200), its summary is written, its cancel refused (409)
    ("POST", f"{API}/manage/needs/{{need_id}}/decide"): lambda w, t: {
        "action": "decline",
        "reason": "走查不予采纳",
    },
    ("POST", f"{API}/manage/activities/{{activity_id}}/checkin"): lambda w, t: {"user_ids": [0]},
    ("POST", f"{API}/manage/activities/{{activity_id}}/summary"): lambda w, t: {
        "summary": "走查总结：活动开展顺利。"
    },
    ("POST", f"{API}/manage/activities/{{activity_id}}/cancel"): lambda w, t: {"reason": "走查取消活动"},
    ("POST", f"{API}/manage/activities"): lambda w, t: {
        "org_id": t.pk,
        "title": f"走查活动{next(_names)}",
        "description": "走查活动的内容说明，请按时参加",
        "kind": "activity",
        "starts_at": _future(0),
        "ends_at": _future(2),
        "capacity": 10,
        "hours": "1",
        "place": "走查地点",
    },
    ("POST", f"{API}/manage/teams"): lambda w, t: {"org_id": t.pk, "name": f"走查服务队{next(_names)}"},
    ("POST", f"{API}/manage/teams/{{team_id}}/members"): lambda w, t: {
        "user_id": (w.joiner_a if t.org_id == w.branch_a.pk else w.joiner_b).pk
    },
    ("POST", f"{API}/manage/teams/memberships/{{membership_id}}/leave"): lambda w, t: {},
    ("POST", "/community/activities/manage/needs/{need_id}/"): lambda w, t: {
        "action": "decline",
        "reason": "走查不予采纳",
    },
    ("POST", "/community/activities/manage/{activity_id}/"): lambda w, t: {
        "action": "checkin",
        "user_ids": ["0"],
    },
    ("POST", "/community/activities/manage/new/"): lambda w, t: {
        "org": t.pk,
        "title": f"走查活动{next(_names)}",
        "description": "走查活动的内容说明，请按时参加",
        "kind": "activity",
        "starts_at": _form_time(0),
        "ends_at": _form_time(2),
        "capacity": "10",
        "hours": "1",
        "place": "走查地点",
    },
}
