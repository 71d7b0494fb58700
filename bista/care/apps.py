from django.apps import AppConfig


class CareConfig(AppConfig):
    """The provider side: orders, implementation plans, journal, home binders, deliveries, self-checks."""

    name = "bista.care"
    label = "care"
    verbose_name = "Utförare"

    def ready(self) -> None:
        from bista.care import (
            duties,  # noqa: F401  (registers the care duty sources)
            integrity,  # noqa: F401  (registers the journal signature check)
            pickers,  # noqa: F401  (registers the care picker)
        )
        from bista.care.actions import AccessAction, AuditAction
        from bista.clients.actions import ACCESS_ACTIONS
        from bista.core.actions import AUDIT_ACTIONS

        AUDIT_ACTIONS.declare(AuditAction)
        ACCESS_ACTIONS.declare(AccessAction)
