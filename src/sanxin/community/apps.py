from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "sanxin.community"
    label = "community"
    verbose_name = "互动交流"

    def ready(self) -> None:
        from . import hooks

        hooks.ready()
