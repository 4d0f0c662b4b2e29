"""Wiring of community awards, called from ``community.hooks.ready``: the scope of its rows (by the
organising org, a candidate also by its own org, a 四亮 record by its branch), the photo upload purposes
(readable by whoever may read the candidate or the record), the growth-archive source, navigation and
audit labels."""

from __future__ import annotations


def _can_read_photo(user, f) -> bool:
    from sanxin.core.errors import NotFound

    from . import selectors
    from .models import AwardCandidate

    if not getattr(user, "is_authenticated", False):
        return False
    for c in AwardCandidate.objects.filter(photos=f).only("pk")[:5]:
        try:
            selectors.candidate_get(user, c.pk)
        except NotFound:
            continue
        return True
    return False


def _can_read_siliang(user, f) -> bool:
    from . import selectors
    from .models import SiliangRecord

    if not getattr(user, "is_authenticated", False):
        return False
    for r in SiliangRecord.objects.filter(photo=f).select_related("person")[:5]:
        if r.person_id and r.person.user_id == user.pk:
            return True
        if selectors.manage_scope(user).contains(r):
            return True
    return False


def _runs_awards(user) -> bool:
    from sanxin.core.scope import has_permission

    return has_permission(user, "community", "awards")


def ready() -> None:
    from sanxin.core import audit, registry, scope, uploads
    from sanxin.members import timeline

    from . import archive, demo  # noqa: F401  (demo: the demo step)
    from .models import AwardCandidate, AwardSelection, AwardVote, SiliangRecord

    scope.register(AwardSelection, org_path="org__path", region="org__region_id", industry="org__industry_id")
    scope.register(
        AwardCandidate,
        org_path="selection__org__path",
        region="selection__org__region_id",
        industry="selection__org__industry_id",
    )
    scope.register(
        AwardVote,
        org_path="selection__org__path",
        region="selection__org__region_id",
        industry="selection__org__industry_id",
    )
    scope.register(SiliangRecord, org_path="org__path", region="org__region_id", industry="org__industry_id")
    uploads.register_purpose(
        "community.award_photo", kinds={"image"}, max_bytes=8 * 1024 * 1024, can_read=_can_read_photo
    )
    uploads.register_purpose(
        "community.siliang_photo", kinds={"image"}, max_bytes=8 * 1024 * 1024, can_read=_can_read_siliang
    )
    timeline.register_source("community.awards", "评选表彰", archive.awards_won, order=81)
    registry.nav(
        registry.NavItem(
            key="community.awards",
            label="评选表彰",
            url_name="community:awards:manage",
            order=26,
            visible=_runs_awards,
        )
    )
    audit.label_actions(
        {
            "award_selection_create": "发起评选",
            "award_nominate": "评选提名",
            "award_approve": "评选提名审核通过",
            "award_reject": "评选提名审核不通过",
            "award_vote_refused": "拒绝同一设备多账号投票",
            "award_close": "结束评选投票",
            "award_votes_review": "复核疑似刷票",
            "award_publish": "公布评选结果",
            "award_story": "发布当选者先锋故事",
            "siliang_record": "记录四亮",
        }
    )
