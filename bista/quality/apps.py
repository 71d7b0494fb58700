from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Systematic quality work: deviations, Lex Sarah, feedback, data incidents, routines, the VB table."""

    name = "bista.quality"
    label = "quality"
    verbose_name = "Kvalitet"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS
        from bista.quality import (
            duties,  # noqa: F401  (registers the quality duty sources)
            pickers,  # noqa: F401  (registers the person picker)
        )
        from bista.quality.actions import AuditAction

        AUDIT_ACTIONS.declare(AuditAction)
