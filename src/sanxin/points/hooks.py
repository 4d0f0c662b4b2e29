"""Wiring of points: the scope of its rows, the subscriptions (automatic credits, the end of a claim's
公示), the upload purpose of evidence, the nav entries, cards and audit labels."""

from __future__ import annotations


def ready() -> None:

    from sanxin.core import audit, events, registry, scope, uploads
    from sanxin.core.scope import has_permission

    from . import cards, demo, services, tasks  # noqa: F401  (the demo step, the schedule)
    from .models import Balance, Catalogue, Claim, Entry, Item, Offer, Partner, Voucher
    from .sources import SOURCES

    def through(prefix: str) -> dict:
        """The anchors of an org reached by ``prefix`` (``branch__``, ``partner__org__``...)."""
        return {
            "org_path": f"{prefix}path",
            "region": f"{prefix}region_id",
            "industry": f"{prefix}industry_id",
        }

    own = "member__person__user_id"
    scope.register(Claim, **through("branch__"), owner=own)
    scope.register(Entry, **through("branch__"), owner=own)
    scope.register(Balance, **through("member__person__org__"), owner=own)
    scope.register(Catalogue, **through("org__"))
    scope.register(Item, **through("catalogue__org__"))
    scope.register(Partner, **through("org__"), assignments={"points_partners": "pk"})
    scope.register(Offer, **through("partner__org__"), assignments={"points_partners": "partner_id"})
    scope.register(
        Voucher,
        **through("offer__partner__org__"),
        assignments={"points_partners": "offer__partner_id"},
        owner=own,
    )

    for name in SOURCES:
        events.subscribe(name, name="points.auto_credit")(services.apply_auto_rules)
    events.subscribe("core.notice_closed", name="points.notice_closed")(services.notice_closed)

    def can_read_evidence(user, stored) -> bool:
        claims = Claim.objects.filter(evidence=stored)
        return scope.scope_for(user, "points", "view").filter(claims).exists()

    uploads.register_purpose(
        "points.evidence",
        kinds={"image", "pdf"},
        max_bytes=10 * 1024 * 1024,
        can_read=can_read_evidence,
    )
    registry.nav(
        registry.NavItem(
            key="points",
            label="积分管理",
            url_name="points:queue",
            order=18,
            visible=lambda u: has_permission(u, "points", "view"),
        )
    )
    registry.nav(
        registry.NavItem(
            key="points.redeem",
            label="兑换券核销",
            url_name="points:redeem",
            order=19,
            visible=lambda u: has_permission(u, "points", "redeem"),
        )
    )
    registry.card(
        registry.HomeCard(
            key="points.mine",
            title="我的积分",
            order=6,
            template="points/cards/mine.html",
            context=cards.mine,
            visible=cards.is_member,
        )
    )
    registry.card(
        registry.HomeCard(
            key="points.queue",
            title="积分审核",
            order=9,
            template="points/cards/queue.html",
            context=cards.queue,
            visible=lambda u: has_permission(u, "points", "review") or has_permission(u, "points", "confirm"),
        )
    )
    registry.card(
        registry.HomeCard(
            key="points.partner",
            title="兑换券核销",
            order=4,
            template="points/cards/partner.html",
            context=cards.partner,
            visible=lambda u: has_permission(u, "points", "redeem"),
        )
    )
    audit.label_actions(
        {
            "declare": "申报积分",
            "resubmit": "补充材料重新提交",
            "withdraw": "撤回申报",
            "review_approve": "支部审核通过",
            "review_return": "退回补充材料",
            "review_reject": "支部审核不予通过",
            "confirm": "党委认定",
            "confirm_reject": "党委不予认定",
            "credit": "积分计入",
            "objected": "公示有异议",
            "settle": "异议复核",
            "reverse": "冲正",
            "supersede": "细则被新版本替代",
            "buy": "积分兑换",
            "cancel": "取消兑换",
            "expire": "兑换券过期",
            "redeem": "核销兑换券",
        }
    )
