from django.apps import AppConfig


class TimereportsConfig(AppConfig):
    name = "bista.timereports"
    label = "timereports"
    verbose_name = "Tidrapportering"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS
        from bista.timereports.actions import AuditAction

        AUDIT_ACTIONS.declare(AuditAction)
