from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bista.core"
    label = "core"
    verbose_name = "Organisation och behörigheter"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS, AuditAction

        AUDIT_ACTIONS.declare(AuditAction)
