from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "bista.governance"
    label = "governance"
    verbose_name = "Mål och uppföljning"
