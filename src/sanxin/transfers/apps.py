from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "sanxin.transfers"
    label = "transfers"
    verbose_name = "组织关系转接"

    def ready(self) -> None:
        from . import hooks
        from .credentials import hooks as credential_hooks
        from .ledger import hooks as ledger_hooks

        for part in (hooks, ledger_hooks, credential_hooks):
            part.ready()
