from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "bista.governance"
    label = "governance"
    verbose_name = "Mål och uppföljning"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS
        from bista.governance.actions import AuditAction

        AUDIT_ACTIONS.declare(AuditAction)
