from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sanxin.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from sanxin.core import scope

        from .scope import scope_for

        scope.set_provider(scope_for)
