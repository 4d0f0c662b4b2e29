"""The world's objects of community awards (see tests/world_parts/__init__.py): a selection of
committee X in its nomination phase and one of branch B (a street over a branch of committee Y may
nominate for committee Y's selections, so B's is held by the branch itself), each with a pending
candidate (member A / member B) and a flagged vote; a 亮旗帜 record of each side's branch."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from django.utils import timezone

from tests.world import LEAK_MARKER

REASONS = "常年坚守在城区配送一线，雨雪天主动帮助老人代购药品，多次拾金不昧，带动身边骑手参与志愿服务。"
_names = itertools.count(1)


def build(world) -> dict:
    from sanxin.community.awards.models import AwardCandidate, AwardSelection, AwardVote, SiliangRecord

    t = timezone.localdate()
    d = dt.timedelta
    out: dict = {}
    for side, org, branch, member, mark in (
        ("a", world.committee_x, world.branch_a, world.member_a, ""),
        ("b", world.branch_b, world.branch_b, world.member_b, LEAK_MARKER),
    ):
        s = AwardSelection.objects.create(
            org=org,
            title=f"{t.year}年度最美骑手{mark}",
            year=t.year,
            awardees=1,
            nominate_from=t - d(3),
            nominate_until=t + d(3),
            vote_from=t + d(5),
            vote_until=t + d(10),
        )
        c = AwardCandidate.objects.create(
            selection=s, person=member.person, org=branch, reasons=f"{REASONS}{mark}"
        )
        AwardVote.objects.create(
            selection=s,
            candidate=c,
            voter=world.secretary_a,
            day=t,
            device_hash=f"device-{side}",
            client_hash=f"client-{side}",
            flagged=True,
            flag_reason=f"同一设备当天已有 3 个账号投票{mark}",
        )
        SiliangRecord.objects.create(kind="flag", org=branch, note=f"活动阵地悬挂党旗{mark}", on=t)
        out[f"selection_{side}"] = s
        out[f"candidate_{side}"] = c
    return out


def targets() -> dict:
    from sanxin.community.awards.models import AwardCandidate, AwardSelection

    return {AwardSelection: "selection", AwardCandidate: "candidate"}


def _dates() -> dict:
    return {
        "nominate_from": "2026-01-01",
        "nominate_until": "2026-01-10",
        "vote_from": "2026-01-11",
        "vote_until": "2026-01-20",
    }


def _nominee(w, t) -> int:
    return (w.member_a if t.pk == w.selection_a.pk else w.member_b).pk


def _flagged(w, t) -> list[int]:
    from sanxin.community.awards.models import AwardVote

    return list(AwardVote.objects.filter(selection_id=t.pk, flagged=True).values_list("pk", flat=True))


API = "/api/v1/community/awards"
PAGES = "/community/awards"

PAYLOADS: dict[tuple[str, str], Callable] = {
    ("POST", f"{API}/manage/selections"): lambda w, t: {
        "org_id": t.pk,
        "title": f"走查评选{next(_names)}",
        "year": 2026,
        "awardees": 1,
        **_dates(),
    },
    ("POST", f"{API}/manage/nominations"): lambda w, t: {
        "selection_id": t.pk,
        "person_id": _nominee(w, t),
        "reasons": REASONS,
    },
    ("POST", f"{API}/manage/candidates/{{candidate_id}}/review"): lambda w, t: {"decision": "approve"},
    ("POST", f"{API}/manage/selections/{{selection_id}}/close"): lambda w, t: {},
    ("POST", f"{API}/manage/selections/{{selection_id}}/flagged"): lambda w, t: {
        "vote_ids": _flagged(w, t),
        "keep": True,
    },
    ("POST", f"{API}/manage/selections/{{selection_id}}/publish"): lambda w, t: {},
    ("POST", f"{API}/manage/candidates/{{candidate_id}}/story"): lambda w, t: {
        "title": "走查先锋故事",
        "body": "走查正文" * 20,
    },
    ("POST", f"{API}/manage/siliang"): lambda w, t: {
        "kind": "flag",
        "org_id": t.pk,
        "note": "活动阵地悬挂党旗",
    },
    ("POST", f"{PAGES}/manage/"): lambda w, t: {
        "org": t.pk,
        "title": f"走查评选{next(_names)}",
        "year": "2026",
        "awardees": "1",
        **_dates(),
    },
    ("POST", f"{PAGES}/manage/nominate/"): lambda w, t: {
        "selection": t.pk,
        "person": _nominee(w, t),
        "reasons": REASONS,
    },
    ("POST", f"{PAGES}/manage/{{selection_id}}/"): lambda w, t: {"action": "close"},
    ("POST", f"{PAGES}/manage/siliang/"): lambda w, t: {
        "org": t.pk,
        "kind": "flag",
        "note": "活动阵地悬挂党旗",
    },
}
