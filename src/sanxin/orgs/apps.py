from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "sanxin.orgs"
    label = "orgs"
    verbose_name = "组织体系"

    def ready(self) -> None:
        from sanxin.core import registry, scope
        from sanxin.core.scope import has_permission

        from . import cards
        from .models import Org, OrgEvent, OrgVersion, Person, Post

        on_org = {"org_path": "org__path", "region": "org__region_id", "industry": "org__industry_id"}
        scope.register(
            Org, org_path="path", region="region_id", industry="industry_id", assignments={"orgs": "pk"}
        )
        scope.register(OrgVersion, org_path="org__path", region="region_id", industry="industry_id")
        scope.register(OrgEvent, **on_org)
        scope.register(Person, **on_org, owner="user_id")
        scope.register(Post, **on_org, owner="person__user_id")

        registry.nav(
            registry.NavItem(
                key="orgs",
                label="组织体系",
                url_name="orgs:tree",
                order=10,
                visible=lambda user: has_permission(user, "orgs", "view"),
            )
        )
        registry.card(
            registry.HomeCard(
                key="orgs.renewals",
                title="换届提醒",
                template="orgs/cards/renewals.html",
                order=10,
                context=cards.renewals,
                visible=lambda user: has_permission(user, "orgs", "view"),
            )
        )
        from . import demo, tasks  # noqa: F401
