from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sanxin.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from sanxin.core import scope

        from .scope import scope_for

        scope.set_provider(scope_for)

        from sanxin.core import registry
        from sanxin.core.scope import has_permission

        registry.nav(
            registry.NavItem(
                key="accounts.matrix",
                label="权限矩阵",
                url_name="matrix",
                order=980,
                group="系统",
                visible=lambda u: has_permission(u, "accounts", "view"),
            )
        )
        registry.nav(registry.NavItem(key="accounts.me", label="我的权限", url_name="me", order=990))
