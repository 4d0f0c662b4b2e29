from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "sanxin.meetings"
    label = "meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from . import hooks

        hooks.ready()
