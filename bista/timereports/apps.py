from django.apps import AppConfig


class TimereportsConfig(AppConfig):
    name = "bista.timereports"
    label = "timereports"
    verbose_name = "Tidrapportering"

    def ready(self) -> None:
        from bista.clients.actions import ACCESS_ACTIONS
        from bista.core.actions import AUDIT_ACTIONS
        from bista.timereports.actions import AccessAction, AuditAction

        AUDIT_ACTIONS.declare(AuditAction)
        ACCESS_ACTIONS.declare(AccessAction)
