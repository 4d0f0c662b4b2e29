"""Wiring of appeals: the scope of its rows, the upload purposes (photos, voice notes), notification
kinds, nav entries and audit labels."""

from __future__ import annotations


def ready() -> None:
    from django.db.models import Q

    from sanxin.core import audit, notify, registry, scope, uploads
    from sanxin.core.query import any_prefix_q
    from sanxin.core.scope import has_permission

    from . import demo, tasks  # noqa: F401  (the demo step, the schedule)
    from .models import Appeal, Coordination, Department, Extension, Hardship
    from .routing import DEPARTMENTS_KIND

    def platform_path(s) -> Q:
        # The platform committee's group sees what it holds or held (never an appeal that skipped it).
        return any_prefix_q("platform__path", list(s.org_paths)) if s.org_paths else Q(pk__in=[])

    scope.register(
        Appeal,
        org_path="branch__path",
        region="region_id",
        industry="industry_id",
        assignments={DEPARTMENTS_KIND: "department_id"},
        related=platform_path,
    )
    scope.register(
        Extension,
        org_path="appeal__branch__path",
        region="appeal__region_id",
        industry="appeal__industry_id",
        assignments={DEPARTMENTS_KIND: "appeal__department_id"},
        related=lambda s: (
            any_prefix_q("appeal__platform__path", list(s.org_paths)) if s.org_paths else Q(pk__in=[])
        ),
    )
    scope.register(Department, region="region_id", assignments={DEPARTMENTS_KIND: "pk"})
    scope.register(Hardship, org_path="org__path", region="org__region_id", industry="org__industry_id")
    scope.register(Coordination, org_path="org__path", region="org__region_id", industry="org__industry_id")

    def can_read(user, stored) -> bool:
        from .services import is_owner

        appeals = Appeal.objects.filter(Q(photos=stored) | Q(voice=stored))
        if any(is_owner(user, a) for a in appeals):
            return True
        return scope.scope_for(user, "appeals", "view").filter(appeals).exists()

    uploads.register_purpose("appeals.photo", kinds={"image"}, max_bytes=10 * 1024 * 1024, can_read=can_read)
    uploads.register_purpose("appeals.voice", kinds={"audio"}, max_bytes=10 * 1024 * 1024, can_read=can_read)
    notify.register_kind("appeals", "诉求办理")
    notify.register_kind("appeals.supervise", "诉求督办")
    notify.register_kind("appeals.hardship", "困难帮扶跟进")
    registry.nav(
        registry.NavItem(
            key="appeals",
            label="诉求办理",
            url_name="appeals:queue",
            order=20,
            visible=lambda u: has_permission(u, "appeals", "view") or has_permission(u, "appeals", "handle"),
        )
    )
    registry.nav(
        registry.NavItem(
            key="appeals.mine",
            label="连心桥",
            url_name="appeals:mine",
            order=21,
            visible=lambda u: getattr(u, "is_authenticated", False),
        )
    )
    audit.label_actions(
        {
            "appeal_submit": "提交诉求",
            "appeal_accept": "受理诉求",
            "appeal_ask": "请诉求人补充情况",
            "appeal_answer": "诉求人补充情况",
            "appeal_transfer": "转办诉求",
            "appeal_escalate": "上报诉求",
            "appeal_supervise": "督办诉求",
            "appeal_resolve": "答复诉求",
            "appeal_callback": "回访",
            "appeal_rate": "评价诉求",
            "appeal_withdraw": "撤回诉求",
            "appeal_classify": "诉求人工分类",
            "appeal_merge": "合并重复诉求",
            "appeal_extend": "申请延期",
            "appeal_extend_decide": "审核延期",
            "train": "训练诉求分类模型",
            "hardship_open": "建立困难帮扶档案",
            "hardship_aid": "记录帮扶",
            "hardship_close": "结束困难帮扶",
            "coordination_record": "记录协调会",
        }
    )
