"""Wiring of community affairs, called from ``community.hooks.ready``: the scope of its rows (by the
org that publishes, consults or designates), the 公示 audience of a notice, the upload purposes
(attachments readable by whoever reads the notice, deed photos by whoever sees the designation), the
navigation entry, audit labels and the growth-archive source."""

from __future__ import annotations


def _notice_audience(notice, user) -> bool:
    """A 公示 of 党务公开 is seen and objected to by the members and workers under the notice's org."""
    from sanxin.community.selectors import audience_paths

    return bool(getattr(user, "is_authenticated", False)) and notice.org.path in audience_paths(user)


def _can_read_attachment(user, f) -> bool:
    from sanxin.core.errors import NotFound

    from . import selectors
    from .models import AffairsNotice

    if not getattr(user, "is_authenticated", False):
        return False
    for notice_id in AffairsNotice.objects.filter(attachments=f).values_list("pk", flat=True)[:5]:
        try:
            selectors.notice_get(user, notice_id)
        except NotFound:
            continue
        return True
    return False


def _can_read_photo(user, f) -> bool:
    from sanxin.core.scope import scope_for

    from . import selectors
    from .models import Deed

    if not getattr(user, "is_authenticated", False):
        return False
    if f.owner_id == user.pk:
        return True
    deed = Deed.objects.filter(photo=f).select_related("designation").first()
    if deed is None:
        return False
    if selectors.designations_mine(user).filter(pk=deed.designation_id).exists():
        return True
    scope = scope_for(user, "community", "view") | scope_for(user, "community", "affairs")
    return scope.contains(deed.designation)


def ready() -> None:
    from sanxin.core import audit, notices, registry, scope, uploads
    from sanxin.core.scope import has_permission
    from sanxin.members import timeline

    from . import archive, demo  # noqa: F401  (demo: the demo step)
    from .models import (
        AffairsNotice,
        Consultation,
        ConsultationMeeting,
        ConsultationParty,
        Deed,
        Designation,
        FollowUp,
        Holding,
        Opinion,
    )

    on_org = {"org_path": "org__path", "region": "org__region_id", "industry": "org__industry_id"}
    scope.register(AffairsNotice, **on_org)
    scope.register(Consultation, **on_org)
    scope.register(Designation, **on_org)
    via_consultation = {
        "org_path": "consultation__org__path",
        "region": "consultation__org__region_id",
        "industry": "consultation__org__industry_id",
    }
    for model in (ConsultationParty, ConsultationMeeting, Opinion, FollowUp):
        scope.register(model, **via_consultation)
    via_designation = {
        "org_path": "designation__org__path",
        "region": "designation__org__region_id",
        "industry": "designation__org__industry_id",
    }
    scope.register(Holding, **via_designation)
    scope.register(Deed, **via_designation)

    notices.register_audience("community.affairsnotice", _notice_audience)
    uploads.register_purpose(
        "community.affairs",
        kinds={"image", "pdf", "document", "spreadsheet"},
        max_bytes=20 * 1024 * 1024,
        can_read=_can_read_attachment,
    )
    uploads.register_purpose(
        "community.affairs_photo", kinds={"image"}, max_bytes=8 * 1024 * 1024, can_read=_can_read_photo
    )
    timeline.register_source("community.designations", "示范岗与责任区", archive.holdings, order=82)

    def member_not_manager(u) -> bool:
        # Asked on every page: no query of its own beyond the grants the menu reads anyway (a person with
        # no org finds the board empty, which says so).
        return getattr(u, "is_authenticated", False) and not has_permission(u, "community", "affairs")

    registry.nav(
        registry.NavItem(
            key="community.affairs.board",
            label="党务公开",
            url_name="community:affairs:home",
            order=26,
            visible=member_not_manager,
        )
    )
    registry.nav(
        registry.NavItem(
            key="community.affairs",
            label="党务公开与协商",
            url_name="community:affairs:manage_notices",
            order=26,
            visible=lambda u: has_permission(u, "community", "affairs"),
        )
    )
    audit.label_actions(
        {
            "affairs_notice_publish": "发布党务公开",
            "affairs_notice_pin": "置顶/取消置顶党务公开",
            "affairs_notice_withdraw": "撤回党务公开",
            "affairs_notice_object": "对公示提出异议",
            "affairs_objection_resolve": "核实公示异议",
            "affairs_consultation_create": "发起协商议事",
            "affairs_party_add": "增加协商参与方",
            "affairs_meeting_add": "安排协商会议",
            "affairs_meeting_minutes": "记录协商会议纪要",
            "affairs_consultation_advance": "协商议事状态变更",
            "affairs_opinion_submit": "对协商议题提出意见",
            "affairs_followup_add": "添加跟踪落实事项",
            "affairs_followup_done": "落实事项完成",
            "affairs_designation_create": "设立示范岗/责任区",
            "affairs_designation_assign": "示范岗/责任区更换党员",
            "affairs_designation_end": "撤销示范岗/责任区",
            "affairs_deed_record": "记录示范岗/责任区履职",
            "affairs_export": "导出协商议事/示范岗台账",
        }
    )
