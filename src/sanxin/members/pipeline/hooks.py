"""Wiring of the development pipeline: scope of its rows, the 公示 audience of an org, the subscriber
to the 公示's closing event, the secretaries' home card, audit labels and the demo step."""

from __future__ import annotations


def ready() -> None:
    """Called from ``MembersConfig.ready``: scope registrations, nav entries, cards, subscriptions."""
    from sanxin.core import audit, events, notices, registry, scope
    from sanxin.core.query import prefix_q
    from sanxin.core.scope import has_permission, scope_for
    from sanxin.orgs.models import Person

    from . import cards, demo, services  # noqa: F401  (demo registers its step)
    from .models import DevelopmentCase, DevelopmentQuota, DevelopmentStep

    on_org = {"org_path": "org__path", "region": "org__region_id", "industry": "org__industry_id"}
    scope.register(DevelopmentCase, **on_org, owner="person__user_id")
    scope.register(
        DevelopmentStep,
        org_path="case__org__path",
        region="case__org__region_id",
        industry="case__org__industry_id",
        owner="case__person__user_id",
    )
    scope.register(
        DevelopmentQuota,
        org_path="committee__path",
        region="committee__region_id",
        industry="committee__industry_id",
    )

    def org_audience(org, user) -> bool:
        """A 公示 to an org is seen (and objected to) by the people of that org and below, and by
        those who hold the people scope over it."""
        if not getattr(user, "is_authenticated", False):
            return False
        own = Person.objects.filter(user=user).filter(prefix_q("org__path", org.path)).exists()
        return own or scope_for(user, "people", "view").contains(org)

    notices.register_audience("orgs.org", org_audience)
    events.subscribe("core.notice_closed", name="members.pipeline.notice_closed")(services.notice_closed)

    registry.card(
        registry.HomeCard(
            key="members.pipeline",
            title="发展党员待办",
            order=9,
            template="members/pipeline/card.html",
            context=cards.to_follow,
            visible=lambda u: has_permission(u, "people", "change"),
        )
    )
    audit.label_actions(
        {
            "advance": "发展党员步骤",
            "notice": "发起发展对象公示",
            "notice_closed": "公示结束",
            "extend": "延长预备期",
        }
    )
