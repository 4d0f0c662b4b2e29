from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sanxin.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self) -> None:
        from . import builtin  # noqa: F401  (registers the core demo steps)
