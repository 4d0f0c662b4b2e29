from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "sanxin.appeals"
    label = "appeals"
    verbose_name = "诉求办理"

    def ready(self) -> None:
        from . import hooks

        hooks.ready()
