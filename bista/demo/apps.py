from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data generator (`bista demo`); its one model records whether a generation completed."""

    name = "bista.demo"
    label = "demo"
    verbose_name = "Demodata"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS
        from bista.demo.actions import AuditAction

        AUDIT_ACTIONS.declare(AuditAction)
