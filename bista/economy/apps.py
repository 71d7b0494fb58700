from django.apps import AppConfig


class EconomyConfig(AppConfig):
    name = "bista.economy"
    label = "economy"
    verbose_name = "Ekonomi"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS
        from bista.economy import checks, figures, selectors
        from bista.economy.actions import AuditAction
        from bista.rostering.extensions import register_proposal_figures
        from bista.timereports.checklist import register_check
        from bista.timereports.services import register_on_lock

        AUDIT_ACTIONS.declare(AuditAction)
        register_check(checks.invoices_not_produced)
        register_on_lock(figures.on_month_lock)
        register_proposal_figures("economy", selectors.shifts_economy)
