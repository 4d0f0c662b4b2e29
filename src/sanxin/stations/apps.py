from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "sanxin.stations"
    label = "stations"
    verbose_name = "服务阵地"

    def ready(self) -> None:
        from . import hooks, imports

        hooks.ready()
        imports.ready()
