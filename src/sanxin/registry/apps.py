from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "sanxin.registry"
    label = "registry"
    verbose_name = "新兴领域组织"

    def ready(self) -> None:
        from django.db.models import Exists, OuterRef, Q
        from django.utils import timezone

        from sanxin.core import audit, registry, scope
        from sanxin.core.query import any_prefix_q
        from sanxin.core.scope import has_permission

        from . import cards, demo, extracts  # noqa: F401
        from .models import (
            Campaign,
            CampaignTarget,
            Contact,
            Coverage,
            Extract,
            MatchReview,
            Organization,
            Visit,
        )

        def covered_by_scope_orgs(s) -> Q:
            """An organization is in an org-anchored scope when a party org of that subtree covers it
            today; an instructor or liaison sees the organizations they are assigned to."""
            today = timezone.localdate()
            q = Q(pk__in=[])
            if s.org_paths:
                active = Coverage.objects.filter(Coverage.active_q(today), organization=OuterRef("pk"))
                q |= Q(Exists(active.filter(any_prefix_q("party_org__path", list(s.org_paths)))))
            if s.user_id:
                mine = Contact.objects.filter(
                    organization=OuterRef("pk"), person__user_id=s.user_id, end_on__isnull=True
                )
                q |= Q(Exists(mine))
            return q

        audit.label_actions(
            {
                "flag_possibly_closed": "标记疑似关闭",
                "confirm_operating": "核实仍在营",
                "close": "注销/迁出",
                "decide": "处理疑似匹配",
                "incubation": "更新孵化进度",
                "campaign_targets": "选定攻坚对象",
            }
        )
        scope.register(
            Organization,
            region="region_id",
            industry="industry_id",
            assignments={"organizations": "pk"},
            related=covered_by_scope_orgs,
        )

        def via_organization(s) -> Q:
            return Q(organization__in=s.filter(Organization.objects.all()).values("pk"))

        for model in (Coverage, Contact, Visit, CampaignTarget):
            scope.register(model, related=via_organization)

        def has_target_in_scope(s) -> Q:
            visible = s.filter(Organization.objects.all()).values("pk")
            return Q(Exists(CampaignTarget.objects.filter(campaign=OuterRef("pk"), organization__in=visible)))

        scope.register(Campaign, related=has_target_in_scope)
        scope.register(Extract, region="region_id", industry="industry_id")
        scope.register(
            MatchReview, related=lambda s: Q(candidate__in=s.filter(Organization.objects.all()).values("pk"))
        )

        registry.nav(
            registry.NavItem(
                key="registry",
                label="两个覆盖",
                url_name="registry:dashboard",
                order=20,
                visible=lambda u: has_permission(u, "registry", "view"),
            )
        )
        registry.card(
            registry.HomeCard(
                key="registry.coverage",
                title="两个覆盖",
                order=5,
                wide=False,
                template="registry/cards/coverage.html",
                context=cards.coverage,
                visible=lambda u: has_permission(u, "registry", "view"),
            )
        )
