from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "sanxin.points"
    label = "points"
    verbose_name = "积分管理"

    def ready(self) -> None:
        from . import hooks

        hooks.ready()
