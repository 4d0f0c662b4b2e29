"""Wiring of the transfer workflow: the scope of its rows, the nav entry, the home cards (the member's
"my transfer", the secretary's "waiting for me"), audit labels and the demo step."""

from __future__ import annotations


def ready() -> None:
    """Called from ``TransfersConfig.ready``: scope registrations, nav entries, cards, subscriptions,
    demo steps."""
    from django.db.models import Q

    from sanxin.core import audit, registry, scope
    from sanxin.core.query import any_prefix_q
    from sanxin.core.scope import has_permission

    from . import cards, demo, tasks  # noqa: F401  (demo registers its step, tasks its schedule)
    from .models import Transfer, TransferLetter, TransferStep

    def other_sides(s) -> Q:
        """A transfer is also seen by the receiving side and the higher level that approves it."""
        q = Q(pk__in=[])
        if s.org_paths:
            paths = list(s.org_paths)
            q |= any_prefix_q("to_org__path", paths) | any_prefix_q("approver__path", paths)
        if s.region_prefixes:
            q |= any_prefix_q("to_org__region_id", list(s.region_prefixes))
        if s.industries:
            q |= Q(to_org__industry_id__in=sorted(s.industries))
        return q

    scope.register(
        Transfer,
        org_path="from_org__path",
        region="from_org__region_id",
        industry="from_org__industry_id",
        owner="member__person__user_id",
        related=other_sides,
    )
    for model in (TransferStep, TransferLetter):
        scope.register(model, related=lambda s: Q(transfer__in=s.filter(Transfer.objects.all()).values("pk")))

    registry.nav(
        registry.NavItem(
            key="transfers",
            label="组织关系转接",
            url_name="transfers:list",
            order=16,
            visible=lambda u: has_permission(u, "transfers", "view"),
        )
    )
    registry.card(
        registry.HomeCard(
            key="transfers.mine",
            title="我的组织关系转接",
            order=4,
            template="transfers/cards/mine.html",
            context=cards.mine,
            visible=cards.is_member,
        )
    )
    registry.card(
        registry.HomeCard(
            key="transfers.waiting",
            title="待我办理的组织关系转接",
            order=7,
            template="transfers/cards/waiting.html",
            context=cards.waiting,
            visible=lambda u: has_permission(u, "transfers", "view"),
        )
    )
    from sanxin.core import events

    from . import alerts
    from .ledger.hooks import TRANSFER_EVENTS

    def tell(event) -> None:
        alerts.transfer_moved(event.payload["transfer_id"])

    for name in TRANSFER_EVENTS:
        events.subscribe(name, name="transfers.alerts")(tell)
    audit.label_actions(
        {
            "approve": "审批同意",
            "reject": "不予批准",
            "letter_issue": "开具介绍信",
            "escalation_approve": "上级审批同意",
            "accept": "接收",
            "return": "退回",
            "report": "报到",
            "cancel": "撤销",
            "expire": "过期",
        }
    )
