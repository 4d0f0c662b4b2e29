from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sanxin.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from . import registry, tasks  # noqa: F401  (registers periodic tasks)
        from .excel import importers  # noqa: F401  (registers the region importer)
        from .permissions import is_office_admin

        registry.nav(registry.NavItem(key="home", label="首页", url_name="home", order=0))
        registry.nav(
            registry.NavItem(key="notifications", label="消息", url_name="core:notifications", order=900)
        )
        registry.nav(
            registry.NavItem(
                key="audit",
                label="审计日志",
                url_name="core:audit",
                order=950,
                group="系统",
                visible=is_office_admin,
            )
        )
        registry.nav(
            registry.NavItem(
                key="calendar",
                label="工作日历",
                url_name="core:calendar",
                order=960,
                group="系统",
                visible=is_office_admin,
            )
        )
        registry.nav(
            registry.NavItem(
                key="imports",
                label="数据导入",
                url_name="core:imports",
                order=970,
                group="系统",
                visible=is_office_admin,
            )
        )
        registry.card(
            registry.HomeCard(
                key="core.notifications",
                title="最新消息",
                template="core/cards/notifications.html",
                order=1,
                context=_notifications_card,
            )
        )


def _notifications_card(request) -> dict:
    from .notify import inbox

    return {"items": list(inbox(request.user)[:5])}
