"""The world's objects of community affairs (see tests/world_parts/__init__.py): for each side, a 公示 of
its branch (发展党员公示) with a pending objection, a consultation with a party and a follow-up item, and a
示范岗 held by that side's member; B's carry the leak marker."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from django.utils import timezone

from tests.factories import UserFactory
from tests.world import LEAK_MARKER

_n = itertools.count(1)


def build(world) -> dict:
    from sanxin.community.affairs import services
    from sanxin.community.affairs.models import FollowUp
    from sanxin.core.models import Objection

    out: dict = {}
    for side, org, member, mark in (
        ("a", world.branch_a, world.member_a, ""),
        ("b", world.branch_b, world.member_b, LEAK_MARKER),
    ):
        n = services.notice_publish(
            actor=None, org=org, kind="development", title=f"发展对象公示{mark}",
            body=f"拟将张同志列为发展对象，现予公示{mark}。",
        )  # fmt: skip
        Objection.objects.create(
            notice=n.public_notice, author=UserFactory(), reason=f"近期未参加组织生活{mark}"
        )
        c = services.consultation_create(
            actor=None, org=org, topic=f"派单算法与高温天休息{mark}", background=f"骑手反映午间派单过密{mark}",
            parties=[("union", f"区快递行业工会{mark}", None)],
        )  # fmt: skip
        FollowUp.objects.create(
            consultation=c, what=f"增设午休点{mark}", who=f"城关站{mark}", due_on=timezone.localdate()
        )
        d = services.designation_create(
            actor=None, org=org, kind="post", name=f"驿站党员示范岗{mark}", place=f"城关暖蜂驿站{mark}",
            person=member.person, start_on=timezone.localdate() - dt.timedelta(days=30),
        )  # fmt: skip
        out |= {f"affairs_notice_{side}": n, f"consultation_{side}": c, f"designation_{side}": d}
    return out


def targets() -> dict:
    from sanxin.community.affairs.models import AffairsNotice, Consultation, Designation

    return {AffairsNotice: "affairs_notice", Consultation: "consultation", Designation: "designation"}


def _today() -> str:
    return timezone.localdate().isoformat()


def _objection(t) -> int:
    o = t.public_notice.objections.order_by("pk").first()
    return o.pk if o else 0


def _followup(t) -> int:
    f = t.followups.order_by("pk").first()
    return f.pk if f else 0


def _holder(w, t) -> int:
    return (w.member_b if t.org_id == w.branch_b.pk else w.member_a).person.pk


API = "/api/v1/community/affairs"
PAGE = "/community/affairs"

PAYLOADS: dict[tuple[str, str], Callable] = {
    ("POST", f"{API}/manage/notices"): lambda w, t: {
        "org_id": t.pk, "kind": "notice", "title": "关于主题党日安排的通知", "body": "本月主题党日在驿站举行，请按时参加。",
    },
    ("POST", f"{API}/manage/notices/{{notice_id}}/withdraw"): lambda w, t: {"reason": "内容有误，更正后重发"},
    ("POST", f"{API}/manage/notices/{{notice_id}}/pin"): lambda w, t: {"pinned": True},
    ("POST", f"{API}/manage/notices/{{notice_id}}/objections/resolve"): lambda w, t: {
        "objection_id": _objection(t), "upheld": False, "resolution": "经核实，异议不成立。",
    },
    ("POST", f"{API}/manage/consultations"): lambda w, t: {
        "org_id": t.pk, "topic": "午间高温休息安排", "background": "骑手希望午间高温时段有地方休息。",
    },
    ("POST", f"{API}/manage/consultations/{{consultation_id}}/parties"): lambda w, t: {
        "side": "workers", "name": f"骑手代表{next(_n)}",
    },
    ("POST", f"{API}/manage/consultations/{{consultation_id}}/meetings"): lambda w, t: {
        "held_at": timezone.now().isoformat(), "mode": "offline", "place": "城关暖蜂驿站",
    },
    ("POST", f"{API}/manage/consultations/{{consultation_id}}/advance"): lambda w, t: {"to": "consulting"},
    ("POST", f"{API}/manage/consultations/{{consultation_id}}/followups"): lambda w, t: {
        "what": "公示派单规则", "who": "城关站", "due_on": _today(),
    },
    ("POST", f"{API}/manage/consultations/{{consultation_id}}/followups/done"): lambda w, t: {
        "followup_id": _followup(t), "note": "已落实完成。",
    },
    ("POST", f"{API}/manage/designations"): lambda w, t: {
        "org_id": t.pk, "kind": "area", "name": f"党员责任区{next(_n)}", "place": "城关街道解放路",
    },
    ("POST", f"{API}/manage/designations/{{designation_id}}/assign"): lambda w, t: {
        "person_id": _holder(w, t), "start_on": _today(),
    },
    ("POST", f"{API}/manage/designations/{{designation_id}}/deeds"): lambda w, t: {
        "done_on": _today(), "text": "在驿站为骑手义务修车。",
    },
    ("POST", f"{PAGE}/manage/"): lambda w, t: {
        "org": t.pk, "kind": "notice", "title": "关于主题党日安排的通知", "body": "本月主题党日在驿站举行，请按时参加。",
    },
    ("POST", f"{PAGE}/manage/notices/{{notice_id}}/"): lambda w, t: {"action": "pin"},
    ("POST", f"{PAGE}/manage/consultations/"): lambda w, t: {
        "org": t.pk, "topic": "午间高温休息安排", "background": "骑手希望午间高温时段有地方休息。",
    },
    ("POST", f"{PAGE}/manage/consultations/{{consultation_id}}/"): lambda w, t: {
        "action": "party", "side": "workers", "name": f"骑手代表{next(_n)}",
    },
    ("POST", f"{PAGE}/manage/designations/"): lambda w, t: {
        "org": t.pk, "kind": "area", "name": f"党员责任区{next(_n)}", "place": "城关街道解放路",
    },
    ("POST", f"{PAGE}/manage/designations/{{designation_id}}/"): lambda w, t: {
        "action": "deed", "done_on": _today(), "text": "在驿站为骑手义务修车。",
    },
}  # fmt: skip
