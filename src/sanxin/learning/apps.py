from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "sanxin.learning"
    label = "learning"
    verbose_name = "学习教育"

    def ready(self) -> None:
        from . import hooks

        hooks.ready()
