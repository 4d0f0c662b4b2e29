from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "sanxin.members"
    label = "members"
    verbose_name = "党员信息库"

    def ready(self) -> None:
        from django.db.models import Exists, OuterRef, Q
        from django.utils import timezone

        from sanxin.core import audit, registry, scope
        from sanxin.core.query import any_prefix_q
        from sanxin.core.scope import has_permission
        from sanxin.orgs import services as org_services

        from . import demo, imports, services  # noqa: F401  (demo registers its step, imports its importer)
        from .findings import hooks as findings_hooks
        from .funds import hooks as funds_hooks
        from .models import Direction, Employment, Member, Mobility, OrgRelation, RelationKind
        from .pipeline import hooks as pipeline_hooks

        def hosted_here(s) -> Q:
            """A 流入 member is also seen by the org they are 挂靠 at (their activity org today)."""
            if not s.org_paths:
                return Q(pk__in=[])
            active = OrgRelation.objects.filter(
                OrgRelation.active_q(timezone.localdate()),
                member=OuterRef("pk"),
                kind=RelationKind.ACTIVITY,
            )
            return Q(Exists(active.filter(any_prefix_q("org__path", list(s.org_paths)))))

        person_org = {
            "org_path": "person__org__path",
            "region": "person__org__region_id",
            "industry": "person__org__industry_id",
        }
        scope.register(Member, **person_org, owner="person__user_id", related=hosted_here)
        scope.register(
            OrgRelation,
            org_path="org__path",
            region="org__region_id",
            industry="org__industry_id",
            owner="member__person__user_id",
        )
        scope.register(
            Mobility,
            related=lambda s: (
                Q(member__in=s.filter(Member.objects.all()).values("pk"))
                | (any_prefix_q("host__path", list(s.org_paths)) if s.org_paths else Q(pk__in=[]))
            ),
        )
        scope.register(Employment, **person_org, owner="person__user_id")

        org_services.register_people_mover(services.move_members_of_merged_org)
        for part in (pipeline_hooks, findings_hooks, funds_hooks):
            part.ready()
        from . import cards

        registry.card(
            registry.HomeCard(
                key="members.mine",
                title="我的党组织",
                order=3,
                template="members/cards/mine.html",
                context=cards.mine,
                visible=lambda u: (
                    Member.objects.filter(person__user=u).exists() if u.is_authenticated else False
                ),
            )
        )
        registry.card(
            registry.HomeCard(
                key="members.follow_up",
                title="党员待跟进",
                order=8,
                template="members/cards/follow_up.html",
                context=cards.follow_up,
                visible=lambda u: has_permission(u, "people", "change"),
            )
        )
        registry.nav(
            registry.NavItem(
                key="members",
                label="党员信息库",
                url_name="members:list",
                order=15,
                visible=lambda u: has_permission(u, "people", "view"),
            )
        )

        def hosted_members(org) -> str:
            n = Mobility.objects.filter(host=org, direction=Direction.IN, end_on__isnull=True).count()
            return f"还有{n}名流入党员挂靠在本组织" if n else ""

        org_services.register_dissolve_check(hosted_members)
        audit.label_actions(
            {
                "end": "结束",
                "convert": "转为正式党员",
                "flag_hidden": "口袋/隐形党员标记",
                "membership_sync": "组织关系同步",
                "merge": "组织合并调整",
                "membership_end": "党籍终止",
                "suspend": "停止党籍",
                "restore": "恢复党籍",
            }
        )
